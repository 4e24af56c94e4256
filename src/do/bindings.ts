/** The bindings and variables a link's Durable Object uses (its host and its feed's sinks). */
export type LinkBindings = Pick<
	Env,
	| "FILES"
	| "DB"
	| "LINK_COMMANDS"
	| "WEBHOOK_DELIVERIES"
	| "OUTBOX_RESEND_MS"
	| "UPLOAD_IDLE_TIMEOUT_SECONDS"
>;
