/** The bindings and variables a link's services and its feed's sinks use (file bytes only through the host's `store`). */
export type LinkBindings = Pick<
	Env,
	"DB" | "LINK_COMMANDS" | "WEBHOOK_DELIVERIES" | "OUTBOX_RESEND_MS" | "UPLOAD_IDLE_TIMEOUT_SECONDS"
>;
