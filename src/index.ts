/** Wiring only: the HTTP app, the queue handler, and the Durable Object class. */
import { app } from "./api/app";

export { LinkDO } from "./do/link-do";

export default {
	fetch: app.fetch,
} satisfies ExportedHandler<Env>;
