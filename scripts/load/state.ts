// What a load run observes: answers by status and route, violations, notes,
// the commands seen, one record per planned file. The instrumented fetch that
// every request (owner, admin and uploader clients alike) goes through.
import { setMaxListeners } from "node:events";
import type { CommandView } from "../../src/client/index.ts";
import type { LoadOptions } from "./options.ts";
import type { FileAction, LinkPlan, Plan, Protocol } from "./plan.ts";

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** A planned link once created, and what the run learns about it. */
export interface LiveLink extends LinkPlan {
	id: string;
	uploadUrl: string;
	secret: string;
	fired: boolean;
	firedAt?: string;
	gone?: boolean;
	revokeCommand?: string;
	deleteCommand?: string;
	finalState?: string;
	epoch?: number;
	files?: number;
	bytes?: number;
}

export type Outcome =
	| "finalized"
	| "completed"
	| "aborted"
	| "rejected"
	| "gone"
	| "error"
	| "cut off"
	| "not started";

export interface FileRecord {
	protocol: Protocol;
	u: number;
	f: number;
	link: number;
	size: number;
	action: FileAction;
	outcome: Outcome | null;
	uploadId: string | null;
	mode: "single" | "multipart" | null;
	detail: string;
	sha256?: string;
	command?: string;
	result?: string | null;
	serverState?: string | undefined;
	/** tus: chunkSize used (null: unset), 423 answers waited out, every upload URL it created. */
	tus?: { chunk: number | null; waited423: number; urls: string[] };
}

/** What the tus uploaders saw of the endpoint, for the report. */
export interface TusStats {
	/** Milliseconds of each answered PATCH (and creation-with-upload POST) with its bytes. */
	patches: { ms: number; bytes: number; status: number }[];
	/** "<HEAD offset>/<bytes sent before the cut>/<size>" of each resume after an interrupted PATCH. */
	resumes: string[];
	/** Uploads tus-js-client created afresh after a HEAD answered 4xx (the first one is left behind). */
	recreated: number;
	/** Successes whose last answer named no finalize command (a HEAD saw the whole file). */
	noCommand: number;
	/** Answers whose Upload-Offset differs from what the request's bytes should have made durable. */
	offsetOdd: string[];
}

export type TrackedCommand = CommandView & { linkIndex: number | undefined; via: string };

export class RunState {
	readonly o: LoadOptions;
	readonly plan: Plan;
	readonly baseUrl: string;
	t0 = Date.now();
	/** Aborted when the load phase hits its duration cap: uploader requests and sleeps end. */
	readonly cap = new AbortController();
	stopped = false;
	links: LiveLink[] = [];
	readonly byStatus = new Map<number | string, number>();
	readonly byRoute = new Map<string, Map<number | string, number>>();
	readonly violations: string[] = [];
	readonly notes: string[] = [];
	readonly commands = new Map<string, TrackedCommand>();
	readonly records: FileRecord[] = [];
	readonly byUploadId = new Map<string, FileRecord>();
	/** Files done per link (by index), for the terminal commands' thresholds. */
	readonly done: number[];
	readonly tus: TusStats = { patches: [], resumes: [], recreated: 0, noCommand: 0, offsetOdd: [] };

	constructor(o: LoadOptions, plan: Plan, baseUrl: string) {
		this.o = o;
		this.plan = plan;
		this.baseUrl = baseUrl;
		this.done = plan.links.map(() => 0);
		setMaxListeners(0, this.cap.signal);
	}

	violation(text: string): void {
		this.violations.push(text);
		if (this.o.verbose) console.log(`  ! ${text}`);
	}

	/** Seconds since the load phase began, for messages. */
	at(): string {
		return `${((Date.now() - this.t0) / 1000).toFixed(1)}s`;
	}

	count(status: number | string, route: string): void {
		this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
		const m = this.byRoute.get(route) ?? new Map<number | string, number>();
		m.set(status, (m.get(status) ?? 0) + 1);
		this.byRoute.set(route, m);
	}

	trackCommand(command: CommandView, via: string): void {
		const known = this.commands.get(command.id);
		const link = this.links.find((l) => l.id === command.linkId);
		this.commands.set(command.id, {
			...known,
			...command,
			linkIndex: link?.index,
			via: known?.via ?? via,
		});
	}

	/** Uploader sleep that ends early (rejects) when the duration cap is hit. */
	sleep(ms: number): Promise<void> {
		const signal = this.cap.signal;
		return new Promise((resolve, reject) => {
			if (signal.aborted) return reject(signal.reason);
			const onAbort = () => {
				clearTimeout(timer);
				reject(signal.reason);
			};
			const timer = setTimeout(() => {
				signal.removeEventListener("abort", onAbort);
				resolve();
			}, ms);
			signal.addEventListener("abort", onAbort, { once: true });
		});
	}

	/**
	 * The fetch given to every client: counts answers by status and route,
	 * flags 5xx and network errors, tracks the commands of 202s. Uploader
	 * requests also end at the duration cap.
	 */
	fetchFor(uploader: boolean): Fetch {
		return async (url, init = {}) => {
			const method = (init.method ?? "GET").toUpperCase();
			const route = routeOf(method, url);
			const signals = [AbortSignal.timeout(uploader ? 120_000 : 30_000)];
			if (uploader) signals.push(this.cap.signal);
			if (init.signal) signals.push(init.signal);
			let res: Response;
			try {
				res = await fetch(url, { ...init, signal: AbortSignal.any(signals) });
			} catch (error) {
				if (!(uploader && this.cap.signal.aborted)) {
					this.count("network error", route);
					this.violation(`network error: ${route}: ${causeOf(error)}`);
				}
				throw error;
			}
			this.count(res.status, route);
			if (res.status >= 500) {
				const body = await res
					.clone()
					.text()
					.catch(() => "");
				this.violation(`5xx at ${this.at()}: ${route} -> ${res.status} ${body.slice(0, 300)}`);
			}
			if (res.status === 202) {
				try {
					const body = (await res.clone().json()) as { command?: CommandView };
					if (body?.command?.id) this.trackCommand(body.command, route);
				} catch {
					// not JSON: the 202 check elsewhere reports it
				}
			}
			return res;
		};
	}
}

/** METHOD + path with ids replaced, for the per-route counts. */
export function routeOf(method: string, url: string): string {
	const path = new URL(url).pathname
		.replace(/^\/r\/[^/]+/, "/r/:linkId")
		.replace(/\/uploads\/[^/]+/, "/uploads/:id")
		.replace(/\/tus\/[^/]+$/, "/tus/:id")
		.replace(/\/parts\/\d+/, "/parts/:n")
		.replace(/^\/api\/(links|commands|files)\/[^/]+/, "/api/$1/:id")
		.replace(/^\/api\/admin\/links\/[^/]+/, "/api/admin/links/:id");
	return `${method} ${path}`;
}

function causeOf(error: unknown): string {
	if (!(error instanceof Error)) return String(error);
	const cause = error.cause;
	return cause instanceof Error ? cause.message : error.message;
}

export function describe(L: LiveLink | undefined): string {
	if (!L) return "unknown link";
	return `link #${L.index} (${L.action}, ${L.lateFinalize}${L.maxFiles ? `, maxFiles ${L.maxFiles}` : ""})`;
}
