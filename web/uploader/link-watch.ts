// Where the link stands for this page: open, waiting (the owner paused it, or
// a revoke/delete is being settled: tus answers 423) or closed (revoked,
// expired, deleted: 410). While waiting it watches `GET /r/<linkId>`
// (`watch()`, every 3 s), and tus requests that would send bytes or create an
// upload are held (`whenOpen`) until the link reopens, so no retry budget is
// spent waiting and uploads continue by themselves, however long the pause.
import { watch } from "../../src/client/watch.ts";
import { LinkApi, type PublicLinkInfo, problemOf } from "./api.ts";

export type WatchState =
	| { kind: "open" }
	| { kind: "waiting"; why: "paused" | "closing" }
	| { kind: "closed"; code: string };

const TERMINAL: Record<string, string> = {
	revoked: "link-revoked",
	expired: "link-expired",
	deleted: "link-deleted",
	"link-revoked": "link-revoked",
	"link-expired": "link-expired",
	"link-deleted": "link-deleted",
};

const POLL_MS = 3000;

export class LinkWatch {
	state: WatchState = { kind: "open" };
	private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
	private polling = false;
	/** Stops the watch of a waiting link as soon as the link opens or closes. */
	private stopPolling: AbortController | null = null;

	constructor(
		private readonly api: LinkApi,
		private readonly onChange: (state: WatchState, link?: PublicLinkInfo) => void,
		readonly pollMs = POLL_MS,
	) {}

	/** Takes the link's public info (its `phase` says paused / closing / terminal). */
	fromInfo(link: PublicLinkInfo): void {
		const code = TERMINAL[link.phase];
		if (code) this.set({ kind: "closed", code }, link);
		else if (link.phase === "paused" || link.phase === "closing")
			this.set({ kind: "waiting", why: link.phase }, link);
		else this.set({ kind: "open" }, link);
	}

	/** Learns from any answer to this page: 423 link-paused/closing waits, a terminal 410 closes. */
	sawProblem(status: number, code: string | undefined): void {
		if (this.state.kind === "closed") return;
		if (status === 423 && (code === "link-paused" || code === "link-closing"))
			this.set({ kind: "waiting", why: code === "link-paused" ? "paused" : "closing" });
		else if (status === 410 && code && TERMINAL[code]) this.set({ kind: "closed", code });
		else if (status === 410) void this.check();
	}

	/** Resolves at once while open; waits while the link is paused or closing; rejects once closed. */
	whenOpen(): Promise<void> {
		if (this.state.kind === "open") return Promise.resolve();
		if (this.state.kind === "closed") return Promise.reject(new Error("the link is closed"));
		return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
	}

	/** Asks the link's state once (e.g. after a 410 that did not say why). */
	async check(): Promise<void> {
		const info = await this.api.info();
		if (info.ok) this.fromInfo(info.link);
		else if (info.problem.status === 410 && info.problem.code)
			this.sawProblem(410, info.problem.code);
	}

	private set(state: WatchState, link?: PublicLinkInfo): void {
		const before = this.state;
		if (before.kind === "closed") return;
		this.state = state;
		if (state.kind === "open") this.release((w) => w.resolve());
		if (state.kind === "closed") this.release((w) => w.reject(new Error("the link is closed")));
		if (state.kind === "waiting") void this.poll();
		else this.stopPolling?.abort();
		const changed =
			before.kind !== state.kind ||
			(before.kind === "waiting" && state.kind === "waiting" && before.why !== state.why);
		if (changed || link) this.onChange(state, link);
	}

	private release(fn: (w: { resolve: () => void; reject: (e: Error) => void }) => void): void {
		const waiters = this.waiters;
		this.waiters = [];
		for (const w of waiters) fn(w);
	}

	/** Watches the link's info while it is waiting; ends once it opens or closes. */
	private async poll(): Promise<void> {
		if (this.polling) return;
		this.polling = true;
		const stop = new AbortController();
		this.stopPolling = stop;
		try {
			const end = await watch<PublicLinkInfo>({
				request: (signal) => this.api.infoRequest(signal),
				read: LinkApi.linkOf,
				onState: (link) => this.fromInfo(link),
				done: () => this.state.kind !== "waiting",
				// A 410 closes the page; anything else (a dropped connection too) is asked again.
				gone: (status) => status === 410,
				failures: "retry",
				backoff: { firstMs: this.pollMs, capMs: this.pollMs },
				signal: stop.signal,
			});
			if (end.kind === "gone") this.sawProblem(410, problemOf(410, await end.response.text()).code);
		} catch (error) {
			if (!stop.signal.aborted) throw error;
		} finally {
			this.polling = false;
			this.stopPolling = null;
		}
	}
}
