// The one script of the dashboard (/app) and the admin console (/admin):
// progressive enhancements only; every page works as plain HTML forms.
// Each module looks for its own data-* attributes and does nothing elsewhere.
import "./live-command.ts";
import "./app.ts";
import "./admin.ts";
