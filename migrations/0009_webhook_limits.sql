-- Limits on webhooks (docs/webhooks.md): one endpoint per URL and owner, one
-- pending redelivery per endpoint and event, and a per-owner rate limit on
-- redeliveries and test events.

-- The URL as compared for duplicates (endpointUrlKey, src/domain/webhooks.ts:
-- the parser's href without the fragment). Endpoints registered before this
-- migration get their stored URL (already the parser's href); when an owner
-- already had one URL several times, only the oldest gets it and the others
-- keep NULL, which the unique index lets be (NULLs are distinct), until their
-- URL changes.
ALTER TABLE webhook_endpoints ADD COLUMN url_key TEXT;
UPDATE webhook_endpoints SET url_key = url WHERE NOT EXISTS (
	SELECT 1 FROM webhook_endpoints AS older
	WHERE older.owner_id = webhook_endpoints.owner_id AND older.url = webhook_endpoints.url
		AND (older.created_at < webhook_endpoints.created_at
			OR (older.created_at = webhook_endpoints.created_at AND older.id < webhook_endpoints.id))
);
CREATE UNIQUE INDEX webhook_endpoints_owner_url ON webhook_endpoints (owner_id, url_key);

-- A redelivery whose schedule has not ended: at most one per endpoint and
-- event (the primary key), so a redelivery asked for meanwhile joins it. The
-- consumer deletes the row when the schedule ends and moves lease_until
-- (epoch ms) past each retry; a row whose lease ran out no longer counts.
CREATE TABLE webhook_redeliveries (
	endpoint_id TEXT NOT NULL,
	event_id TEXT NOT NULL,
	-- wrd_...: the redelivery's id, also in its queue message.
	id TEXT NOT NULL,
	lease_until INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (endpoint_id, event_id)
);

-- Fixed-window counters: `key` names what is counted and whose
-- ('webhook-sends:<ownerId>'); `count` requests in the window that started at
-- window_start (epoch ms). One row per key, reset by the first request of a
-- later window.
CREATE TABLE rate_limits (
	key TEXT PRIMARY KEY,
	window_start INTEGER NOT NULL,
	count INTEGER NOT NULL
);
