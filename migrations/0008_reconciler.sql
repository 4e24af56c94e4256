-- The scheduled reconciler (docs/operations.md). `swept` is 1 once the link's
-- Durable Object reported it terminal with nothing left to sweep; a state
-- change (revoked -> deleted) sets it back to 0. The reconciler pages the
-- links that need attention (closing, or terminal and not swept) and, with
-- the rest of its budget, every link in id order, each from a cursor kept in
-- `reconciler_cursors`.
ALTER TABLE links ADD COLUMN swept INTEGER NOT NULL DEFAULT 0;
CREATE INDEX links_reconcile ON links (id) WHERE closing = 1 OR (state IN ('revoked', 'expired', 'deleted') AND swept = 0);
CREATE TABLE reconciler_cursors (
	name TEXT PRIMARY KEY,
	after_id TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
