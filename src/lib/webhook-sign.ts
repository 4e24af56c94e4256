/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): for each
 * secret `whsec_<base64 key>`, `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`,
 * space-separated. During a rotation both the new and the previous secret
 * sign, so a receiver holding either one verifies the message.
 */
const encoder = new TextEncoder();
const PREFIX = "whsec_";

/** The raw key of a `whsec_...` secret (the prefix is optional, as the reference libraries accept). */
export function secretKey(secret: string): Uint8Array {
	const text = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
	return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** A new signing secret: `whsec_` and 32 random bytes in base64 (the format receivers expect). */
export function newSigningSecret(): string {
	const bytes = crypto.getRandomValues(new Uint8Array(32));
	return `${PREFIX}${btoa(String.fromCharCode(...bytes))}`;
}

async function signOne(secret: string, content: Uint8Array): Promise<string> {
	const key = await crypto.subtle.importKey(
		"raw",
		secretKey(secret),
		{ name: "HMAC", hash: "SHA-256" },
		false,
		["sign"],
	);
	const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, content));
	return `v1,${btoa(String.fromCharCode(...mac))}`;
}

/**
 * The `webhook-signature` header for `body` sent as message `id` at
 * `timestampSeconds` (the `webhook-timestamp` header), one signature per secret.
 */
export async function signatureHeader(
	secrets: readonly string[],
	id: string,
	timestampSeconds: number,
	body: string,
): Promise<string> {
	const content = encoder.encode(`${id}.${timestampSeconds}.${body}`);
	const parts = await Promise.all(secrets.map((s) => signOne(s, content)));
	return parts.join(" ");
}
