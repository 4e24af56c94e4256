/** @jsxImportSource hono/jsx */
/**
 * The admin console's pages (behind a live admin session): the overview at
 * /admin, and one module per section: owners, links and their audit, dead
 * letters and their actions. (The command status the live badges poll is
 * src/pages/command-status.ts, mounted before the session redirect.)
 */
import { Hono } from "hono";
import type { AppEnv } from "../../app-env";
import { apiFor } from "../api-client";
import { Notice } from "../layout";
import { auditPages } from "./audit";
import { deadLetterActions } from "./dead-letter-actions";
import { deadLetterPages } from "./dead-letters";
import { AdminPage, href } from "./frame";
import { linkPages } from "./links";
import { ownerKeyPages } from "./owner-keys";
import { ownerPages } from "./owners";

/** Counted up to one page: beyond that, "100 or more" is all the overview needs. */
const COUNT_LIMIT = 100;

const overview = new Hono<AppEnv>().get("/", async (c) => {
	const { items, nextCursor } = await apiFor(c).listDeadLetters({
		status: "pending",
		limit: COUNT_LIMIT,
	});
	const pending = nextCursor ? `${COUNT_LIMIT} or more` : String(items.length);
	return c.html(
		<AdminPage title="Overview" section="home">
			<h1>Admin console</h1>
			{items.length > 0 ? (
				<Notice kind="warn">
					<a href={href("/admin/dead-letters", { status: "pending" })}>
						{pending} pending dead letter{items.length === 1 ? "" : "s"}
					</a>{" "}
					wait for you: their links' commands are held until each is replayed or discarded.
				</Notice>
			) : (
				<Notice kind="ok">No pending dead letters.</Notice>
			)}
			<ul class="sections">
				<li>
					<a href="/admin/owners">Owners</a>: create an owner and its API key, rotate a key.
				</li>
				<li>
					<a href="/admin/links">Links</a>: every link by state and owner; audit a link against the
					invariants.
				</li>
				<li>
					<a href="/admin/dead-letters">Dead letters</a>: commands that failed every retry; inspect,
					replay or discard them.
				</li>
			</ul>
		</AdminPage>,
	);
});

export const adminConsole = new Hono<AppEnv>()
	.route("/", overview)
	.route("/owners", ownerPages)
	.route("/owners", ownerKeyPages)
	.route("/links", linkPages)
	.route("/links", auditPages)
	.route("/dead-letters", deadLetterPages)
	.route("/dead-letters", deadLetterActions);
