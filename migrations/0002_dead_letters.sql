-- Dead letters: queue messages that ran out of retries (status pending until an
-- admin replays or discards them), and invalid messages the consumer refused.
CREATE TABLE dead_letters (
	id TEXT PRIMARY KEY,
	message_id TEXT NOT NULL,
	queue TEXT NOT NULL,
	link_id TEXT,
	command_id TEXT,
	seq INTEGER,
	body TEXT NOT NULL,
	attempts INTEGER NOT NULL,
	last_error TEXT,
	status TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
-- One pending dead letter per command: duplicates of a message fold into it.
CREATE UNIQUE INDEX dead_letters_pending_command ON dead_letters (command_id) WHERE status = 'pending';
CREATE INDEX dead_letters_by_created ON dead_letters (created_at DESC, id DESC);
CREATE INDEX dead_letters_by_link ON dead_letters (link_id, created_at DESC, id DESC);
