/**
 * HTTP helpers of the file routes: the download's Content-Disposition, the
 * one Range form downloads support, and the refusal of a download loaded as
 * a script, style or worker (the decision is the domain's). HTTP shapes, not
 * decisions, so they live at the edge.
 */
import type { MiddlewareHandler } from "hono";
import { checkDownloadDestination } from "../../domain/downloads";
import { ProblemError } from "../../domain/problems";
import { sanitizeFileName } from "../../domain/uploads";

/**
 * First on every download route (the API's and the dashboard's): a request
 * whose `Sec-Fetch-Dest` would run or style the bytes is refused with
 * `download-destination-refused` before anything is read.
 */
export const notAsScript: MiddlewareHandler = async (c, next) => {
	const refused = checkDownloadDestination(c.req.header("sec-fetch-dest"));
	if (refused) throw new ProblemError(refused);
	await next();
};

/**
 * `Content-Disposition: attachment` for a stored name: an ASCII fallback
 * `filename` and the exact name as RFC 5987 `filename*`.
 */
export function contentDisposition(name: string): string {
	const safe = sanitizeFileName(name);
	const ascii = safe.replace(/[^\x20-\x7e]|["\\%;]/g, "_");
	const encoded = encodeURIComponent(safe).replace(
		/['()*]/g,
		(c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
	);
	return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** A parsed single `Range: bytes=` request against `size` bytes. */
export type RangeRequest =
	| { kind: "full" }
	| { kind: "partial"; offset: number; length: number }
	| { kind: "unsatisfiable" };

/**
 * Parses one byte range. Anything malformed or multi-range is ignored (a full
 * answer, as RFC 9110 allows); a range past the end is unsatisfiable.
 */
export function parseRange(header: string | null | undefined, size: number): RangeRequest {
	if (!header) return { kind: "full" };
	const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
	if (!m || (m[1] === "" && m[2] === "")) return { kind: "full" };
	if (m[1] === "") {
		const suffix = Number(m[2]);
		if (suffix === 0 || size === 0) return { kind: "unsatisfiable" };
		const length = Math.min(suffix, size);
		return { kind: "partial", offset: size - length, length };
	}
	const start = Number(m[1]);
	if (start >= size) return { kind: "unsatisfiable" };
	const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
	if (end < start) return { kind: "full" };
	return { kind: "partial", offset: start, length: end - start + 1 };
}
