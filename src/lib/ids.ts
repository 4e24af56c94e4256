/**
 * Identifiers and capability secrets.
 *
 * A link id is `lnk_` + 16 random base32 characters + a 10-character MAC of
 * them (HMAC-SHA256 under LINK_ID_SECRET), so the edge refuses a forged or
 * mistyped id before any Durable Object is touched. The id names the link;
 * it is not a secret and appears in paths. The link's secret (256 bits) is a
 * separate value: it travels in the upload URL's fragment and in the
 * `Link-Secret` request header, never in a path; the Durable Object stores
 * only its hash and compares it timing-safe.
 */
import {
	base64url,
	hmacBytes,
	randomBase32,
	randomBytes,
	randomSecret,
	sha256Hex,
	timingSafeEqual,
} from "./crypto";

const ID_BODY = /^[0-9a-z]{20}$/;
const EVENT_BODY = /^[0-9a-z]{26}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const LINK_ID = /^lnk_([0-9a-z]{16})([0-9a-z]{10})$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;
const BASE32 = "0123456789abcdefghjkmnpqrstvwxyz";

/** The MAC of a link id's random part: 10 base32 characters (50 bits). */
async function linkIdMac(key: string, random: string): Promise<string> {
	if (!key) throw new Error("LINK_ID_SECRET is not set");
	const mac = await hmacBytes(key, `receive-links/link-id/v1:${random}`);
	let out = "";
	for (const b of mac.subarray(0, 10)) out += BASE32[b & 31];
	return out;
}

/** A new link id carrying a MAC under `key` (LINK_ID_SECRET). */
export async function newLinkId(key: string): Promise<string> {
	const random = randomBase32(16);
	return `lnk_${random}${await linkIdMac(key, random)}`;
}

/** Whether `value` has the shape of a link id (no MAC check: for internal, trusted ids). */
export function isLinkId(value: string): boolean {
	return LINK_ID.test(value);
}

/** Whether `value` is a link id minted with `key`: shape and MAC, compared timing-safe. */
export async function isAuthenticLinkId(key: string, value: string): Promise<boolean> {
	const m = LINK_ID.exec(value);
	if (!m?.[1] || !m[2]) return false;
	return timingSafeEqual(await linkIdMac(key, m[1]), m[2]);
}

export const newOwnerId = (): string => `own_${randomBase32(20)}`;
export const newApiKey = (): string => `rlk_${randomSecret(32)}`;
export const newUploadId = (): string => `upl_${randomBase32(20)}`;

export function isUploadId(value: string): boolean {
	return value.startsWith("upl_") && ID_BODY.test(value.slice(4));
}

/** Whether `value` has the shape of an owner id (`own_` + 20 base32 characters). */
export function isOwnerId(value: string): boolean {
	return value.startsWith("own_") && ID_BODY.test(value.slice(4));
}

/** Whether `value` has the shape of a file id (`fil_` + its upload id's 20 characters). */
export function isFileId(value: string): boolean {
	return value.startsWith("fil_") && ID_BODY.test(value.slice(4));
}

/** Whether `value` has the shape of a dead letter id (`dl_` + a UUID, as src/d1/dead-letters.ts makes them). */
export function isDeadLetterId(value: string): boolean {
	return value.startsWith("dl_") && UUID.test(value.slice(3));
}

/** A webhook endpoint id: `whe_` + 20 base32 characters. */
export const newWebhookEndpointId = (): string => `whe_${randomBase32(20)}`;

/** Whether `value` has the shape of a webhook endpoint id. */
export function isWebhookEndpointId(value: string): boolean {
	return value.startsWith("whe_") && ID_BODY.test(value.slice(4));
}

/** A redelivery's id: `wrd_` + 20 base32 characters. */
export const newRedeliveryId = (): string => `wrd_${randomBase32(20)}`;

/** A webhook event id: `evt_` + 26 base32 characters (130 bits). */
export const newWebhookEventId = (): string => `evt_${randomBase32(26)}`;

/** Whether `value` has the shape of a webhook event id. */
export function isWebhookEventId(value: string): boolean {
	return value.startsWith("evt_") && EVENT_BODY.test(value.slice(4));
}

/**
 * A webhook signing secret in the Standard Webhooks form: `whsec_` + the
 * standard base64 of 32 random bytes (the key the HMAC uses is those bytes).
 */
export function newWebhookSecret(): string {
	let s = "";
	for (const b of randomBytes(32)) s += String.fromCharCode(b);
	return `whsec_${btoa(s)}`;
}

/**
 * A new capability secret (256 bits: a link secret or an Upload-Token) and
 * the hash that is stored of it; the secret itself is shown once.
 */
export async function newSecret(): Promise<{ secret: string; hash: string }> {
	const secret = randomSecret(32);
	return { secret, hash: await sha256Hex(secret) };
}

/** The hash of a presented secret (`Link-Secret`, `Upload-Token`); null when it cannot be one of ours. */
export async function hashOfSecret(secret: string | undefined): Promise<string | null> {
	if (!secret || !SECRET.test(secret)) return null;
	return sha256Hex(secret);
}

/**
 * The Upload-Token of a tus upload. tus clients send no token of their own,
 * only the `Link-Secret` header, so the edge derives the session's token from
 * the upload id under LINK_ID_SECRET: only the service can compute it, and
 * the Durable Object checks it like any Upload-Token.
 */
export async function tusUploadToken(key: string, uploadId: string): Promise<string> {
	if (!key) throw new Error("LINK_ID_SECRET is not set");
	return base64url(await hmacBytes(key, `receive-links/tus-upload-token/v1:${uploadId}`));
}

/** The upload URL handed to uploaders: the secret rides in the fragment, which no client sends. */
export function uploadUrlOf(origin: string, linkId: string, secret: string): string {
	return `${origin}/r/${linkId}#${secret}`;
}

const COMMAND_ID = /^cmd_([0-9a-z]{26})([0-9a-z]{12})$/;

/** A command id embeds its link's id, so a status read needs no index lookup. */
export const newCommandId = (linkId: string): string => `cmd_${linkId.slice(4)}${randomBase32(12)}`;

/** Whether `value` has the shape of a command id. */
export function isCommandId(value: string): boolean {
	return COMMAND_ID.test(value);
}

/** The link id inside a command id; null when malformed. */
export function linkIdOfCommand(commandId: string): string | null {
	const m = COMMAND_ID.exec(commandId);
	return m?.[1] ? `lnk_${m[1]}` : null;
}
