/**
 * Retry-Tokens: HMAC-SHA256 signed, expiring, bound to one command. They let
 * an uploader or script poll `GET /api/commands/:id` without owner
 * credentials. Format: `rt1.<commandId>.<expiresAtUnixSeconds>.<signature>`.
 */
import { hmacSign, timingSafeEqual } from "./crypto";

const PREFIX = "rt1";

export async function signRetryToken(
	secret: string,
	commandId: string,
	ttlSeconds: number,
	now = Date.now(),
): Promise<string> {
	const exp = Math.floor(now / 1000) + ttlSeconds;
	const payload = `${PREFIX}.${commandId}.${exp}`;
	return `${payload}.${await hmacSign(secret, payload)}`;
}

/** True only for an untampered, unexpired token bound to `commandId`. */
export async function verifyRetryToken(
	secret: string,
	token: string,
	commandId: string,
	now = Date.now(),
): Promise<boolean> {
	if (!secret || token.length > 256) return false;
	const parts = token.split(".");
	if (parts.length !== 4) return false;
	const [prefix, id, expText, signature] = parts as [string, string, string, string];
	if (prefix !== PREFIX || !/^[0-9]{1,12}$/.test(expText)) return false;
	const expected = await hmacSign(secret, `${prefix}.${id}.${expText}`);
	if (!timingSafeEqual(expected, signature)) return false;
	return timingSafeEqual(id, commandId) && Number(expText) * 1000 > now;
}
