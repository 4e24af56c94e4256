-- Finalized files: the owner-facing index of what each link received.
CREATE TABLE files (
	id TEXT PRIMARY KEY,
	link_id TEXT NOT NULL,
	owner_id TEXT NOT NULL,
	upload_id TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	size INTEGER NOT NULL,
	type TEXT NOT NULL,
	sha256 TEXT,
	uploader_name TEXT,
	uploader_email TEXT,
	r2_key TEXT NOT NULL,
	finalized_epoch INTEGER NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX files_by_link ON files (link_id, created_at DESC, id DESC);
