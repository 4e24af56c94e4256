/** Wiring only: the HTTP app, the queue handler, and the Durable Object class. */
import { app } from "./app";
import { queue } from "./consumer";

export { LinkDO } from "./do/link-do";

export default {
	fetch: app.fetch,
	queue,
} satisfies ExportedHandler<Env>;
