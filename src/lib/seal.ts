/**
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

function sealingKey(secret: string): Promise<CryptoKey> {
	let key = keys.get(secret);
	if (!key) {
		key = crypto.subtle
			.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"])
			.then((base) =>
				crypto.subtle.deriveKey(
					{
						name: "HKDF",
						hash: "SHA-256",
						salt: encoder.encode("receive-links"),
						info: encoder.encode("upload-url-seal-v1"),
					},
					base,
					{ name: "AES-GCM", length: 256 },
					false,
					["encrypt", "decrypt"],
				),
			);
		keys.set(secret, key);
	}
	return key;
}

/** `v1.<iv>.<ciphertext>` (base64url) of `linkSecret`, bound to `linkId`. */
export async function sealLinkSecret(
	workerSecret: string,
	linkId: string,
	linkSecret: string,
): Promise<string> {
	const iv = crypto.getRandomValues(new Uint8Array(12));
	const sealed = await crypto.subtle.encrypt(
		{ name: "AES-GCM", iv, additionalData: encoder.encode(linkId) },
		await sealingKey(workerSecret),
		encoder.encode(linkSecret),
	);
	return `${VERSION}.${base64url(iv)}.${base64url(new Uint8Array(sealed))}`;
}

/** The link secret in `box`, or null when the box is malformed, tampered or for another link. */
export async function openLinkSecret(
	workerSecret: string,
	linkId: string,
	box: string,
): Promise<string | null> {
	const [version, ivText, dataText, extra] = box.split(".");
	if (version !== VERSION || extra !== undefined || !ivText || !dataText) return null;
	const iv = fromBase64url(ivText);
	const data = fromBase64url(dataText);
	if (iv?.byteLength !== 12 || !data) return null;
	try {
		const plain = await crypto.subtle.decrypt(
			{ name: "AES-GCM", iv, additionalData: encoder.encode(linkId) },
			await sealingKey(workerSecret),
			data,
		);
		return new TextDecoder().decode(plain);
	} catch {
		return null;
	}
}
