/** What the services that run upload sessions (the ledger, tus, small uploads, cleanup) are built from. */
import type { LinkHost } from "../host";
import type { Finalizer } from "./finalize";
import type { LinkRow } from "./link-row";
import type { Outbox } from "./outbox";
import type { Sessions } from "./sessions";

export interface UploadDeps {
	host: LinkHost;
	row: LinkRow;
	sessions: Sessions;
	finalizer: Finalizer;
	outbox: Outbox;
}
