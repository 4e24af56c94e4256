/**
 * Tokens, hashes and signatures, all on WebCrypto. Tokens carry >= 128 bits of
 * CSPRNG entropy; only their SHA-256 hashes are stored; comparisons are timing-safe.
 */
const encoder = new TextEncoder();

export function base64url(bytes: Uint8Array): string {
	let s = "";
	for (const b of bytes) s += String.fromCharCode(b);
	return btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function fromBase64url(text: string): Uint8Array | null {
	if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
	try {
		const bin = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
		return Uint8Array.from(bin, (c) => c.charCodeAt(0));
	} catch {
		return null;
	}
}

export function randomBytes(n: number): Uint8Array {
	return crypto.getRandomValues(new Uint8Array(n));
}

/** A URL-safe secret of `bytes` random bytes (32 bytes: 43 characters, 256 bits). */
export function randomSecret(bytes = 32): string {
	return base64url(randomBytes(bytes));
}

const BASE32 = "0123456789abcdefghjkmnpqrstvwxyz";

/** Lower-case Crockford base32 of `chars` * 5 random bits. */
export function randomBase32(chars: number): string {
	const bytes = randomBytes(chars);
	let out = "";
	for (const b of bytes) out += BASE32[b & 31];
	return out;
}

export async function sha256Hex(text: string): Promise<string> {
	const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
	return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Timing-safe string equality. `crypto.subtle.timingSafeEqual` throws on
 * unequal lengths, so lengths are checked first (length is not secret here:
 * every compared value is a fixed-length hash or signature).
 */
export function timingSafeEqual(a: string, b: string): boolean {
	const x = encoder.encode(a);
	const y = encoder.encode(b);
	if (x.byteLength !== y.byteLength) return false;
	return crypto.subtle.timingSafeEqual(x, y);
}

const hmacKeys = new Map<string, Promise<CryptoKey>>();

/** The imported HMAC key for `secret`, imported once per isolate. */
function hmacKey(secret: string): Promise<CryptoKey> {
	let key = hmacKeys.get(secret);
	if (!key) {
		key = importHmacKey(secret);
		hmacKeys.set(secret, key);
	}
	return key;
}

async function importHmacKey(secret: string): Promise<CryptoKey> {
	return crypto.subtle.importKey(
		"raw",
		encoder.encode(secret),
		{ name: "HMAC", hash: "SHA-256" },
		false,
		["sign"],
	);
}

export async function hmacBytes(secret: string, message: string): Promise<Uint8Array> {
	return new Uint8Array(
		await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(message)),
	);
}

export async function hmacSign(secret: string, message: string): Promise<string> {
	return base64url(await hmacBytes(secret, message));
}

/** Workers cap PBKDF2 at 100,000 iterations. */
const PBKDF2_ITERATIONS = 100_000;

async function pbkdf2(password: string, salt: Uint8Array, iterations: number): Promise<string> {
	const key = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, [
		"deriveBits",
	]);
	const bits = await crypto.subtle.deriveBits(
		{ name: "PBKDF2", hash: "SHA-256", salt, iterations },
		key,
		256,
	);
	return base64url(new Uint8Array(bits));
}

/** `pbkdf2-sha256$<iterations>$<salt>$<hash>`; never the password itself. */
export async function hashPassword(password: string): Promise<string> {
	const salt = randomBytes(16);
	return `pbkdf2-sha256$${PBKDF2_ITERATIONS}$${base64url(salt)}$${await pbkdf2(password, salt, PBKDF2_ITERATIONS)}`;
}

/**
 * The public half of a stored password hash (`pbkdf2-sha256$<iterations>$<salt>`):
 * what the edge needs to derive a candidate's hash, never the hash itself.
 */
export function passwordParams(stored: string): string {
	return stored.slice(0, stored.lastIndexOf("$"));
}

/**
 * The hash of `password` under `params` (from `passwordParams`), so the
 * expensive PBKDF2 runs at the edge and the link's Durable Object only
 * compares; null when the params are not ours.
 */
export async function passwordProof(password: string, params: string): Promise<string | null> {
	const [scheme, iter, saltText, extra] = params.split("$");
	const salt = fromBase64url(saltText ?? "");
	const iterations = Number(iter);
	if (scheme !== "pbkdf2-sha256" || !salt || extra !== undefined) return null;
	if (!Number.isInteger(iterations) || iterations < 1 || iterations > PBKDF2_ITERATIONS)
		return null;
	return pbkdf2(password, salt, iterations);
}

/** Whether `proof` (from `passwordProof`) is the hash stored in `stored`; timing-safe. */
export function proofMatches(stored: string, proof: string): boolean {
	return timingSafeEqual(stored.slice(stored.lastIndexOf("$") + 1), proof);
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
	const proof = await passwordProof(password, passwordParams(stored));
	return proof !== null && proofMatches(stored, proof);
}
