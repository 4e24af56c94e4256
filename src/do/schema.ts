/**
 * LinkDO's SQLite schema: append-only, ordered migrations, each applied once
 * in one transaction and recorded in `_schema`. Never edit a shipped
 * migration; add the next one. docs/storage.md describes the tables.
 */
import type { Sql } from "./sql";

const MIGRATIONS: readonly string[] = [
	// 1: the link, its command log and outbox, timed work, upload ledger.
	`
	CREATE TABLE link (
		id TEXT PRIMARY KEY,
		owner_id TEXT NOT NULL,
		token_hash TEXT NOT NULL,
		state TEXT NOT NULL,
		epoch INTEGER NOT NULL,
		terminal_epoch INTEGER,
		settings TEXT NOT NULL,
		password_hash TEXT,
		files_count INTEGER NOT NULL DEFAULT 0,
		bytes_total INTEGER NOT NULL DEFAULT 0,
		reserved_files INTEGER NOT NULL DEFAULT 0,
		reserved_bytes INTEGER NOT NULL DEFAULT 0,
		version INTEGER NOT NULL,
		projected_version INTEGER NOT NULL DEFAULT 0,
		created_at TEXT NOT NULL,
		updated_at TEXT NOT NULL
	);
	CREATE TABLE commands (
		id TEXT PRIMARY KEY,
		seq INTEGER NOT NULL UNIQUE,
		kind TEXT NOT NULL,
		actor TEXT NOT NULL,
		payload TEXT NOT NULL,
		status TEXT NOT NULL,
		accepted_epoch INTEGER NOT NULL,
		applied_epoch INTEGER,
		result TEXT,
		error TEXT,
		attempts INTEGER NOT NULL DEFAULT 0,
		steps TEXT NOT NULL DEFAULT '[]',
		created_at TEXT NOT NULL,
		updated_at TEXT NOT NULL,
		finished_at TEXT
	);
	CREATE INDEX commands_status ON commands (status, seq);
	CREATE TABLE outbox (
		command_id TEXT PRIMARY KEY,
		seq INTEGER NOT NULL,
		sent_at INTEGER,
		send_count INTEGER NOT NULL DEFAULT 0,
		last_error TEXT
	);
	CREATE TABLE idempotency (
		scope TEXT NOT NULL,
		key TEXT NOT NULL,
		request_hash TEXT NOT NULL,
		response TEXT NOT NULL,
		created_at INTEGER NOT NULL,
		PRIMARY KEY (scope, key)
	);
	CREATE TABLE timers (
		name TEXT PRIMARY KEY,
		due_at INTEGER NOT NULL
	);
	CREATE TABLE uploads (
		id TEXT PRIMARY KEY,
		token_hash TEXT NOT NULL,
		name TEXT NOT NULL,
		size INTEGER NOT NULL,
		type TEXT NOT NULL,
		mode TEXT NOT NULL,
		part_size INTEGER,
		r2_upload_id TEXT,
		state TEXT NOT NULL,
		admitted_epoch INTEGER NOT NULL,
		completed_epoch INTEGER,
		finalized_epoch INTEGER,
		uploader_name TEXT,
		uploader_email TEXT,
		sha256 TEXT,
		expires_at INTEGER NOT NULL,
		created_at TEXT NOT NULL,
		updated_at TEXT NOT NULL
	);
	CREATE TABLE parts (
		upload_id TEXT NOT NULL,
		part_number INTEGER NOT NULL,
		etag TEXT NOT NULL,
		size INTEGER NOT NULL,
		recorded_epoch INTEGER NOT NULL,
		PRIMARY KEY (upload_id, part_number)
	);
	`,
	// 2: an upload's finalize command and finalized file.
	`
	ALTER TABLE uploads ADD COLUMN finalize_command_id TEXT;
	ALTER TABLE uploads ADD COLUMN file_id TEXT;
	CREATE INDEX uploads_by_state ON uploads (state, expires_at);
	`,
	// 3: the single-PUT write lease survives eviction.
	`
	ALTER TABLE uploads ADD COLUMN lease_until INTEGER;
	`,
	// 4: every applied lifecycle transition, for audit (the epoch rises by one per row).
	`
	CREATE TABLE transitions (
		epoch INTEGER PRIMARY KEY,
		kind TEXT NOT NULL,
		state TEXT NOT NULL,
		at TEXT NOT NULL
	);
	`,
	// 5: the settings revision (+1 per applied settings PATCH): with the epoch, the link's ETag.
	`
	ALTER TABLE link ADD COLUMN settings_revision INTEGER NOT NULL DEFAULT 1;
	`,
	// 6: failed link password attempts (one row), for the per-link guess limit.
	`
	CREATE TABLE password_attempts (
		id INTEGER PRIMARY KEY CHECK (id = 1),
		failures INTEGER NOT NULL,
		wait_until INTEGER
	);
	`,
	// 7: tus sessions: the protocol, the durable offset and the PATCH lock.
	`
	ALTER TABLE uploads ADD COLUMN protocol TEXT NOT NULL DEFAULT 'native';
	ALTER TABLE uploads ADD COLUMN tus_offset INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE uploads ADD COLUMN tus_lock_until INTEGER;
	`,
	// 8: tus: the PATCH holding the upload, and the remainder object its offset counts.
	`
	ALTER TABLE uploads ADD COLUMN tus_hold TEXT;
	ALTER TABLE uploads ADD COLUMN tus_rest_key TEXT;
	`,
	// 9: the link secret sealed for its owner (src/lib/seal.ts); null for links made before.
	`
	ALTER TABLE link ADD COLUMN secret_box TEXT;
	`,
	// 10: the event outbox (webhooks): written with the change it announces, sent after.
	`
	CREATE TABLE events (
		seq INTEGER PRIMARY KEY,
		id TEXT NOT NULL UNIQUE,
		type TEXT NOT NULL,
		payload TEXT NOT NULL,
		created_at INTEGER NOT NULL,
		sent_at INTEGER
	);
	CREATE INDEX events_unsent ON events (seq) WHERE sent_at IS NULL;
	`,
	// 11: a command's replay generation (+1 per admin replay; queue messages carry it, so a
	// stale duplicate of an older generation cannot dead-letter it again), and whether its
	// current dead letter is recorded in D1 (the object keeps writing it until it is).
	`
	ALTER TABLE commands ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE commands ADD COLUMN dead_letter_recorded INTEGER NOT NULL DEFAULT 0
	`,
	// 12: how far each sink of the change feed acknowledged the events (src/do/feed/). A sink
	// without a row (the webhook sink of every link made before) stands at the newest event
	// every sink acknowledged (events.sent_at), which is where the outbox had got to.
	`
	CREATE TABLE feed_cursors (
		sink TEXT PRIMARY KEY,
		seq INTEGER NOT NULL
	);
	`,
];

/** Whether this object's storage holds the schema (false for an object never created). */
export function hasSchema(sql: Sql): boolean {
	return (
		sql.one("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = '_schema'") !== null
	);
}

/**
 * Applies every migration not applied yet. Runs synchronously in the
 * constructor, so no request sees a half-migrated schema.
 */
export function migrate(sql: Sql, transactionSync: <T>(fn: () => T) => T): number {
	sql.run("CREATE TABLE IF NOT EXISTS _schema (version INTEGER NOT NULL)");
	const current = sql.one<{ version: number }>("SELECT version FROM _schema")?.version ?? 0;
	for (let i = current; i < MIGRATIONS.length; i++) {
		const migration = MIGRATIONS[i] as string;
		transactionSync(() => {
			for (const statement of migration.split(";")) {
				if (statement.trim()) sql.run(statement);
			}
			if (i === 0) sql.run("INSERT INTO _schema (version) VALUES (1)");
			else sql.run("UPDATE _schema SET version = ?", i + 1);
		});
	}
	return MIGRATIONS.length;
}
