-- Cloudflare Access sign-in finds the owner of a verified e-mail,
-- case-insensitively (src/d1/owners.ts idsByEmail).
CREATE INDEX owners_by_email ON owners (lower(email));
