/**
 * Secrets the service must be able to read back, sealed: AES-256-GCM under a
 * key derived (HKDF-SHA-256) from the LINK_ID_SECRET Worker secret with a
 * label per purpose, bound to the record they belong to (associated data).
 * Used for the link secret (so its owner can see the upload URL again) and
 * for webhook signing secrets (the consumer signs with them).
 *
 * The link secret, sealed so that its owner can see the upload URL again.
 * The DO keeps the secret's SHA-256 to check uploaders, and this box to
 * hand the URL back to the owner (or an admin) on request: AES-256-GCM under
 * a key derived (HKDF-SHA-256, its own label) from the LINK_ID_SECRET Worker
 * secret, with the link id as associated data, so a box opens only for its
 * own link and only inside the Worker. Storage alone (a DO or backup leak)
 * yields no upload URL.
 */
import { base64url, fromBase64url } from "./crypto";

const VERSION = "v1";
const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function sealingKey(secret: string, purpose = "upload-url-seal-v1"): Promise<CryptoKey> {
	const cacheKey = `${purpose}\u0000${secret}`;
	let key = keys.get(cacheKey);
	if (!key) {
		key = crypto.subtle
			.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"])
			.then((base) =>
				crypto.subtle.deriveKey(
					{
						name: "HKDF",
						hash: "SHA-256",
						salt: encoder.encode("receive-links"),
						info: encoder.encode(purpose),
					},
					base,
					{ name: "AES-GCM", length: 256 },
					false,
					["encrypt", "decrypt"],
				),
			);
		keys.set(cacheKey, key);
	}
	return key;
}

/** `v1.<iv>.<ciphertext>` (base64url) of `plain`, for `purpose`, bound to `boundTo`. */
export async function sealText(
	workerSecret: string,
	purpose: string,
	boundTo: string,
	plain: string,
): Promise<string> {
	const iv = crypto.getRandomValues(new Uint8Array(12));
	const sealed = await crypto.subtle.encrypt(
		{ name: "AES-GCM", iv, additionalData: encoder.encode(boundTo) },
		await sealingKey(workerSecret, purpose),
		encoder.encode(plain),
	);
	return `${VERSION}.${base64url(iv)}.${base64url(new Uint8Array(sealed))}`;
}

/** The text in `box`, or null when it is malformed, tampered, or for another purpose or record. */
export async function openText(
	workerSecret: string,
	purpose: string,
	boundTo: string,
	box: string,
): Promise<string | null> {
	const [version, ivText, dataText, extra] = box.split(".");
	if (version !== VERSION || extra !== undefined || !ivText || !dataText) return null;
	const iv = fromBase64url(ivText);
	const data = fromBase64url(dataText);
	if (iv?.byteLength !== 12 || !data) return null;
	try {
		const plain = await crypto.subtle.decrypt(
			{ name: "AES-GCM", iv, additionalData: encoder.encode(boundTo) },
			await sealingKey(workerSecret, purpose),
			data,
		);
		return new TextDecoder().decode(plain);
	} catch {
		return null;
	}
}

const LINK_SECRET = "upload-url-seal-v1";

/** The link secret sealed for its owner, bound to `linkId`. */
export const sealLinkSecret = (workerSecret: string, linkId: string, linkSecret: string) =>
	sealText(workerSecret, LINK_SECRET, linkId, linkSecret);

/** The link secret in `box`, or null when the box is malformed, tampered or for another link. */
export const openLinkSecret = (workerSecret: string, linkId: string, box: string) =>
	openText(workerSecret, LINK_SECRET, linkId, box);

const WEBHOOK_SECRET = "webhook-secret-seal-v1";

/** A webhook endpoint's signing secret sealed, bound to the endpoint's id. */
export const sealWebhookSecret = (workerSecret: string, endpointId: string, secret: string) =>
	sealText(workerSecret, WEBHOOK_SECRET, endpointId, secret);

export const openWebhookSecret = (workerSecret: string, endpointId: string, box: string) =>
	openText(workerSecret, WEBHOOK_SECRET, endpointId, box);
