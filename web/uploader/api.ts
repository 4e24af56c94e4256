// The uploader page's requests besides tus: the link's public info
// (`GET /r/<linkId>` with `Link-Secret`) and polling a finalize command with
// its Retry-Token. The secret only ever travels in the `Link-Secret` header:
// never in a URL, never in a log line.

import { watch } from "../../src/client/watch.ts";
import { isFinal } from "../../src/contract/enums.ts";
import type { CommandView, PublicLinkView } from "../../src/contract/index.ts";

/** The link's public info (`GET /r/<linkId>`): the contract's own type (type-only import). */
export type PublicLinkInfo = PublicLinkView;
export type Limits = PublicLinkView["limits"];

/** A problem answer (application/problem+json), or what we know of a failure without one. */
export interface Problem {
	status: number;
	code?: string;
	detail?: string;
	retryAfter?: number;
}

/** Reads a problem body's `code`, `detail` and `retryAfter` from its text (tolerant of anything). */
export function problemOf(status: number, text: string | null | undefined): Problem {
	try {
		const body = JSON.parse(text ?? "") as Partial<Problem>;
		return {
			status,
			code: typeof body.code === "string" ? body.code : undefined,
			detail: typeof body.detail === "string" ? body.detail : undefined,
			retryAfter: typeof body.retryAfter === "number" ? body.retryAfter : undefined,
		};
	} catch {
		return { status };
	}
}

export type InfoResult = { ok: true; link: PublicLinkInfo } | { ok: false; problem: Problem };

export class LinkApi {
	readonly endpoint: string;

	constructor(
		readonly linkId: string,
		private readonly secret: string,
	) {
		this.endpoint = `${location.origin}/r/${encodeURIComponent(linkId)}/tus/`;
	}

	/** The headers of every request to `/r/<linkId>/…` (tus included). */
	get headers(): Record<string, string> {
		return { "Link-Secret": this.secret };
	}

	/** `GET /r/<linkId>` as JSON; a network failure is status 0. */
	async info(): Promise<InfoResult> {
		try {
			const res = await this.infoRequest();
			if (res.ok) return { ok: true, link: await LinkApi.linkOf(res) };
			return { ok: false, problem: problemOf(res.status, await res.text()) };
		} catch {
			return { ok: false, problem: { status: 0 } };
		}
	}

	/** The request behind `info()`, answered as it is. */
	infoRequest(signal?: AbortSignal): Promise<Response> {
		return fetch(`/r/${encodeURIComponent(this.linkId)}`, {
			headers: { Accept: "application/json", ...this.headers },
			cache: "no-store",
			credentials: "omit",
			...(signal ? { signal } : {}),
		});
	}

	/** The link's public info in a 2xx answer of `infoRequest()`. */
	static async linkOf(res: Response): Promise<PublicLinkInfo> {
		return ((await res.json()) as { link: PublicLinkInfo }).link;
	}
}

export type CommandState = Pick<CommandView, "status" | "result">;

/**
 * Follows a command's status URL with its Retry-Token (no other credential)
 * until the command is final, telling `onStatus` each status seen: `watch()`
 * from 1 s, never longer than Retry-After while the command moves, every 10 s
 * while it is dead-lettered (an admin has to act), and through dropped
 * connections and server errors. Resolves with the final state, or null when
 * the command cannot be read at all (a 4xx).
 */
export async function followCommand(
	statusUrl: string,
	retryToken: string,
	onStatus: (s: CommandState) => void,
): Promise<CommandState | null> {
	const end = await watch<CommandState>({
		request: (signal) =>
			fetch(statusUrl, {
				headers: { Accept: "application/json", "Retry-Token": retryToken },
				cache: "no-store",
				credentials: "omit",
				...(signal ? { signal } : {}),
			}),
		read: async (res) => ((await res.json()) as { command: CommandState }).command,
		done: (command) => isFinal(command.status),
		onState: onStatus,
		gone: (status) => status >= 400 && status < 500,
		failures: "retry",
		idle: (command) => command.status === "dead_lettered",
		backoff: { firstMs: 1000, capMs: 10_000 },
	});
	if (end.kind === "gone") await end.response.body?.cancel();
	return end.kind === "done" ? end.state : null;
}
