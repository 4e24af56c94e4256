/** What `OwnerClient` (owner.ts) does around each request: the query string, reading the answer. */
import type { PageOptions } from "./owner-options.ts";
import { problemOf, ReceiveLinkError } from "./problem.ts";

/** `?limit=&cursor=` and any `extra` members that are set. */
export function query(page: PageOptions, extra: Record<string, string | undefined> = {}): string {
	const q = new URLSearchParams();
	if (page.limit !== undefined) q.set("limit", String(page.limit));
	if (page.cursor) q.set("cursor", page.cursor);
	for (const [k, v] of Object.entries(extra)) if (v !== undefined) q.set(k, v);
	const s = q.toString();
	return s ? `?${s}` : "";
}

/** The JSON body of an answer with one of `ok` statuses (any 2xx when none); else its problem. */
export async function jsonOf<T>(r: Response, ok: readonly number[]): Promise<T> {
	const expected = ok.length > 0 ? ok.includes(r.status) : r.ok;
	if (!expected) {
		if (!r.ok) throw await problemOf(r);
		throw new ReceiveLinkError({
			type: "about:blank",
			title: "Unexpected status",
			status: r.status,
			detail: `expected ${ok.join(" or ")}, got ${r.status}: ${(await r.text()).slice(0, 300)}`,
			code: "unexpected-status",
		});
	}
	return (await r.json()) as T;
}
