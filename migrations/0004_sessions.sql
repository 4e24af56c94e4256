-- Browser sessions of the owner dashboard (/app) and the admin console (/admin).
-- The cookie holds a random id; only its SHA-256 is stored. An owner session
-- is bound to the API key it signed in with (key_hash): rotating or revoking
-- that key ends the session. An admin session is bound to the SHA-256 of the
-- ADMIN_TOKEN it signed in with: changing the token ends it.
CREATE TABLE sessions (
	id_hash TEXT PRIMARY KEY,
	kind TEXT NOT NULL,
	owner_id TEXT,
	key_hash TEXT NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	revoked_at TEXT
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
