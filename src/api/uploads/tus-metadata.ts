/** What tus and one-request uploads share at the edge: `Upload-Metadata`, and how long a paused link asks a client to wait. */

/** Retry-After of a 423 that names none (a paused link has no known end). */
export const PAUSED_RETRY_AFTER_SECONDS = 5;

/** `Upload-Metadata`: comma-separated `key base64value` pairs (value optional). */
export function parseMetadata(header: string | undefined): Record<string, string> | null {
	const out: Record<string, string> = {};
	if (!header?.trim()) return out;
	for (const pair of header.split(",")) {
		const [key, value = "", extra] = pair.trim().split(" ");
		if (!key || extra !== undefined || !/^[\x21-\x7e]+$/.test(key)) return null;
		try {
			const bytes = Uint8Array.from(atob(value), (ch) => ch.charCodeAt(0));
			out[key] = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
		} catch {
			return null;
		}
	}
	return out;
}
