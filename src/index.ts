/** Wiring only: the HTTP app, the queue handler, the reconciler's cron, and the Durable Object class. */
import { app } from "./app";
import { queue } from "./consumer";
import { scheduled } from "./reconciler";

export { LinkDO } from "./do/link-do";

export default {
	fetch: app.fetch,
	queue,
	scheduled,
} satisfies ExportedHandler<Env>;
