// The uploader page's requests besides tus: the link's public info
// (`GET /r/<linkId>` with `Link-Secret`) and polling a finalize command with
// its Retry-Token. The secret only ever travels in the `Link-Secret` header:
// never in a URL, never in a log line.
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
			const res = await fetch(`/r/${encodeURIComponent(this.linkId)}`, {
				headers: { Accept: "application/json", ...this.headers },
				cache: "no-store",
				credentials: "omit",
			});
			if (res.ok) return { ok: true, link: ((await res.json()) as { link: PublicLinkInfo }).link };
			return { ok: false, problem: problemOf(res.status, await res.text()) };
		} catch {
			return { ok: false, problem: { status: 0 } };
		}
	}
}

export type CommandState = Pick<CommandView, "status" | "result">;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls a command's status URL with its Retry-Token (no other credential)
 * until the command is final, telling `onStatus` each status seen. Waits
 * `Retry-After` (1 to 5 s) between polls, longer while dead-lettered (an
 * admin has to act), and keeps going through dropped connections. Resolves
 * with the final state, or null when the command cannot be read at all.
 */
export async function followCommand(
	statusUrl: string,
	retryToken: string,
	onStatus: (s: CommandState) => void,
): Promise<CommandState | null> {
	let failures = 0;
	for (;;) {
		let wait = 1000;
		try {
			const res = await fetch(statusUrl, {
				headers: { Accept: "application/json", "Retry-Token": retryToken },
				cache: "no-store",
				credentials: "omit",
			});
			if (res.ok) {
				failures = 0;
				const { command } = (await res.json()) as { command: CommandState };
				onStatus(command);
				if (isFinal(command.status)) return command;
				const after = Number(res.headers.get("Retry-After"));
				wait = Number.isFinite(after) ? Math.min(Math.max(after, 1), 5) * 1000 : 1000;
				if (command.status === "dead_lettered") wait = 10_000;
			} else if (res.status >= 400 && res.status < 500) {
				return null;
			} else {
				wait = Math.min(2000 * 2 ** failures++, 30_000);
			}
		} catch {
			wait = Math.min(2000 * 2 ** failures++, 30_000);
		}
		await sleep(wait);
	}
}
