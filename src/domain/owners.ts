/**
 * Owners and their API keys (docs/storage.md, the `owners` and `api_keys`
 * tables): what is kept of a key, and what a new owner is. An owner has one
 * live key: a rotation revokes every live key and issues the new one in one
 * D1 batch (src/d1/owners.ts `rotateKey`). Pure: the id, the clock and the
 * key's hash are parameters.
 */

/** Leading characters of an API key kept in clear, so admins can tell keys apart (`keyPrefix`). */
export const API_KEY_PREFIX_CHARS = 8;

/** What is stored of a new API key: its SHA-256 hex (`keyHash`, the caller's) and its first characters, never the key. */
export function storedApiKey(
	apiKey: string,
	keyHash: string,
): { keyHash: string; keyPrefix: string } {
	return { keyHash, keyPrefix: apiKey.slice(0, API_KEY_PREFIX_CHARS) };
}

/** A new owner as stored and answered: no e-mail is null. */
export function newOwner(
	input: { name: string; email?: string | undefined },
	id: string,
	createdAt: string,
): { id: string; name: string; email: string | null; createdAt: string } {
	return { id, name: input.name, email: input.email ?? null, createdAt };
}
