/**
 * PLACEHOLDER, replaced at merge by the endpoints branch's full version
 * (wh-api: src/domain/ssrf.ts wins). Only here so the delivery consumer
 * compiles: same name and call shape, minimal rule.
 */
export type UrlCheck = { ok: true } | { ok: false; reason: string };

const PRIVATE_V4 = [
	/^10\./,
	/^127\./,
	/^169\.254\./,
	/^192\.168\./,
	/^172\.(1[6-9]|2\d|3[01])\./,
	/^0\./,
];

export function checkWebhookUrl(url: string, opts: { allowHttpLoopback: boolean }): UrlCheck {
	let u: URL;
	try {
		u = new URL(url);
	} catch {
		return { ok: false, reason: "not a URL" };
	}
	const host = u.hostname.replace(/^\[|\]$/g, "");
	const loopback = host === "localhost" || /^127\./.test(host) || host === "::1";
	if (u.protocol === "http:" && opts.allowHttpLoopback && loopback) return { ok: true };
	if (u.protocol !== "https:") return { ok: false, reason: "only https URLs are allowed" };
	if (
		loopback ||
		PRIVATE_V4.some((r) => r.test(host)) ||
		/^f[cde]/i.test(host) ||
		host.includes(":")
	)
		return { ok: false, reason: `${host} is a private, loopback or link-local address` };
	if (host === "metadata.google.internal") return { ok: false, reason: "metadata address" };
	return { ok: true };
}
