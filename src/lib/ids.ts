/**
 * Identifiers and capability tokens.
 *
 * A link token is the link id's 20-character body followed by a 43-character
 * secret (256 bits). The id part routes the request to the link's Durable
 * Object without touching D1; the Durable Object compares the secret's hash,
 * timing-safe. An unknown or tampered token is simply "no such link".
 */
import { randomBase32, randomSecret, sha256Hex } from "./crypto";

const ID_BODY = /^[0-9a-z]{20}$/;
const LINK_TOKEN = /^([0-9a-z]{20})([A-Za-z0-9_-]{43})$/;

export const newLinkId = (): string => `lnk_${randomBase32(20)}`;
export const newOwnerId = (): string => `own_${randomBase32(20)}`;
export const newApiKey = (): string => `rlk_${randomSecret(32)}`;
export const newUploadId = (): string => `upl_${randomBase32(20)}`;

export function isUploadId(value: string): boolean {
	return value.startsWith("upl_") && ID_BODY.test(value.slice(4));
}

/** A new upload token (256 bits) and the hash the upload session stores. */
export async function newUploadToken(): Promise<{ token: string; hash: string }> {
	const token = randomSecret(32);
	return { token, hash: await sha256Hex(token) };
}

/** The hash of a presented Upload-Token; null when it cannot be one of ours. */
export async function uploadTokenHash(token: string | undefined): Promise<string | null> {
	if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
	return sha256Hex(token);
}

export function isLinkId(value: string): boolean {
	return value.startsWith("lnk_") && ID_BODY.test(value.slice(4));
}

/** A new link token for `linkId`, and the hash the link stores. */
export async function newLinkToken(linkId: string): Promise<{ token: string; hash: string }> {
	const secret = randomSecret(32);
	return { token: `${linkId.slice(4)}${secret}`, hash: await sha256Hex(secret) };
}

/** Splits a link token into the link id and the hash of its secret; null when malformed. */
export async function parseLinkToken(
	token: string,
): Promise<{ linkId: string; secretHash: string } | null> {
	const m = LINK_TOKEN.exec(token);
	if (!m?.[1] || !m[2]) return null;
	return { linkId: `lnk_${m[1]}`, secretHash: await sha256Hex(m[2]) };
}

const COMMAND_ID = /^cmd_([0-9a-z]{20})([0-9a-z]{12})$/;

/** A command id embeds its link's id, so a status read needs no index lookup. */
export const newCommandId = (linkId: string): string => `cmd_${linkId.slice(4)}${randomBase32(12)}`;

/** The link id inside a command id; null when malformed. */
export function linkIdOfCommand(commandId: string): string | null {
	const m = COMMAND_ID.exec(commandId);
	return m?.[1] ? `lnk_${m[1]}` : null;
}
