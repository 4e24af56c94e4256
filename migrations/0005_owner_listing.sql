-- The admin owner listing pages owners in keyset order, and looks up each
-- owner's live key (also what a key rotation revokes) by owner.
CREATE INDEX owners_by_created ON owners (created_at DESC, id DESC);
CREATE INDEX api_keys_by_owner ON api_keys (owner_id, revoked_at);
