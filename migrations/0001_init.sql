-- Global indexes. The LinkDO of each link is authoritative; `links` is its projection.
CREATE TABLE owners (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	email TEXT,
	created_at TEXT NOT NULL
);

CREATE TABLE api_keys (
	id TEXT PRIMARY KEY,
	owner_id TEXT NOT NULL REFERENCES owners (id),
	key_hash TEXT NOT NULL UNIQUE,
	key_prefix TEXT NOT NULL,
	created_at TEXT NOT NULL,
	revoked_at TEXT
);

CREATE TABLE links (
	id TEXT PRIMARY KEY,
	owner_id TEXT NOT NULL,
	title TEXT NOT NULL,
	state TEXT NOT NULL,
	epoch INTEGER NOT NULL,
	closing INTEGER NOT NULL DEFAULT 0,
	expires_at TEXT,
	version INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX links_by_owner ON links (owner_id, created_at DESC, id DESC);
CREATE INDEX links_by_created ON links (created_at DESC, id DESC);
