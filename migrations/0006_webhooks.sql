-- Webhooks (DESIGN section 13). Endpoints an owner registered; the events the
-- Durable Objects emitted (copied here by the webhook consumer on their first
-- delivery, so an event can be shown and redelivered); one row per delivery
-- attempt (the delivery log).
CREATE TABLE webhook_endpoints (
	id TEXT PRIMARY KEY,
	owner_id TEXT NOT NULL,
	url TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	-- JSON array of event types; [] means every type.
	event_types TEXT NOT NULL,
	enabled INTEGER NOT NULL DEFAULT 1,
	-- Why the service disabled it (410, persistent failure); null when enabled or disabled by the owner.
	disabled_reason TEXT,
	-- The signing secret (whsec_...), sealed (src/lib/seal.ts); never stored in clear.
	secret_box TEXT NOT NULL,
	-- After a rotation the previous secret also signs until previous_until.
	previous_secret_box TEXT,
	previous_until TEXT,
	-- Consecutive failed deliveries (reset by a success); too many disable the endpoint.
	failures INTEGER NOT NULL DEFAULT 0,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX webhook_endpoints_by_owner ON webhook_endpoints (owner_id, created_at DESC, id DESC);

CREATE TABLE webhook_events (
	id TEXT PRIMARY KEY,
	owner_id TEXT NOT NULL,
	link_id TEXT,
	type TEXT NOT NULL,
	-- The exact JSON body every delivery of this event sends ({ type, timestamp, data }).
	payload TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX webhook_events_by_owner ON webhook_events (owner_id, created_at DESC, id DESC);

CREATE TABLE webhook_deliveries (
	id TEXT PRIMARY KEY,
	endpoint_id TEXT NOT NULL,
	event_id TEXT NOT NULL,
	attempt INTEGER NOT NULL,
	-- delivered | failed | gone | refused (WEBHOOK_ATTEMPT_OUTCOMES)
	outcome TEXT NOT NULL,
	status INTEGER,
	latency_ms INTEGER,
	-- The first bytes of the answer (or the error), for the owner's delivery log.
	response_excerpt TEXT,
	next_attempt_at TEXT,
	created_at TEXT NOT NULL
);
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (event_id, endpoint_id);
