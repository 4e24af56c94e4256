/**
 * What an `upload` run tells: one interface, three ways to show it. In a
 * terminal, cli-progress bars (one per file and a total) with bytes, rate
 * and ETA; when stdout is not a terminal, plain progress lines at most every
 * 2 s; with `--json`, one JSON object per line (docs/cli.md).
 */
import type { ProblemBody } from "../../src/client/index.ts";
import type { Described } from "../exit.ts";
import type { LocalFile } from "./files.ts";
import type { FileOutcome, FileStart } from "./strategy.ts";

export interface Summary {
	files: number;
	done: number;
	failed: number;
	bytes: number;
	seconds: number;
	exitCode: number;
	/** Why the run stopped before the end (interrupt, lost connection, link gone). */
	stopped?: Described;
	statePath: string;
	stateKept: boolean;
}

export interface Reporter {
	start(files: LocalFile[]): void;
	fileStart(file: LocalFile, info: FileStart): void;
	part(file: LocalFile, part: { partNumber: number; size: number }): void;
	fileDone(file: LocalFile, outcome: FileOutcome): void;
	fileFailed(file: LocalFile, why: Described): void;
	waiting(problem: ProblemBody, waitMs: number): void;
	retrying(attempt: number, waitMs: number, cause: string): void;
	/** Bytes of the current file's request `request` sent so far (progress within a part). */
	body(request: object, sent: number, finished: boolean): void;
	finish(summary: Summary): void;
}

/**
 * Bytes of a file (or of the run): those the service recorded (`done`) and
 * those of requests in flight; rate and ETA count only what this run sent,
 * from when it started sending.
 */
export class Meter {
	readonly total: number;
	done: number;
	private sent = 0;
	private readonly inflight = new Map<object, number>();
	private readonly started = Date.now();

	constructor(total: number, alreadyStored = 0) {
		this.total = total;
		this.done = alreadyStored;
	}
	/** A part (or a single body) the service recorded. */
	add(bytes: number): void {
		this.done += bytes;
		this.sent += bytes;
	}
	/** Bytes stored before this run. */
	skip(bytes: number): void {
		this.done += bytes;
	}
	/** A request's body bytes sent so far; `finished` drops it (its part is counted by `add`). */
	flight(request: object, sent: number, finished: boolean): void {
		if (finished) this.inflight.delete(request);
		else this.inflight.set(request, sent);
	}
	/** What a bar shows: recorded plus in flight, never past the total. */
	shown(): number {
		let n = this.done;
		for (const b of this.inflight.values()) n += b;
		return Math.min(n, this.total);
	}
	/** Bytes per second sent by this run (0 before the first byte). */
	rate(): number {
		const s = (Date.now() - this.started) / 1000;
		const sent = this.sent + this.shown() - this.done;
		return s > 0 ? sent / s : 0;
	}
	/** Seconds left at the current rate (Infinity while unknown). */
	eta(): number {
		const r = this.rate();
		const left = this.total - this.shown();
		return left <= 0 ? 0 : r > 0 ? left / r : Infinity;
	}
}

/** The words for a wait on 423 (paused, closing) or a retryable 503. */
export function waitingWords(problem: ProblemBody, waitMs: number): string {
	const what =
		problem.code === "link-paused"
			? "link paused"
			: problem.code === "link-closing"
				? "link closing"
				: `service busy (${problem.code})`;
	return `${what} - waiting; retrying in ${Math.round(waitMs / 1000)} s (${problem.title})`;
}

export function outcomeWords(outcome: FileOutcome): string {
	const c = outcome.command;
	if (c.status === "succeeded")
		return `finalized${outcome.upload.fileId ? ` as file ${outcome.upload.fileId}` : ""}`;
	if (c.status === "rejected" || c.status === "cancelled")
		return `finalize ${c.status}${c.result ? `: ${c.result}` : ""}`;
	return `sent; finalize ${c.status} (command ${c.id})`;
}

/** The closing lines every human-facing reporter prints. */
export function summaryLines(s: Summary): string[] {
	const lines = [
		`${s.done} of ${s.files} file${s.files === 1 ? "" : "s"} uploaded` +
			(s.failed ? `, ${s.failed} failed` : "") +
			` (${formatSummaryBytes(s)})`,
	];
	if (s.stopped) lines.push(`stopped: ${s.stopped.message}`);
	if (s.stateKept) lines.push(`rerun the same command to resume (state kept in ${s.statePath})`);
	return lines;
}

function formatSummaryBytes(s: Summary): string {
	const mib = s.bytes / (1024 * 1024);
	return `${mib.toFixed(1)} MiB in ${s.seconds.toFixed(1)} s`;
}

/** `--json`: one object per line on stdout. */
export class JsonReporter implements Reporter {
	private readonly out: (line: string) => void;
	constructor(out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)) {
		this.out = out;
	}
	private emit(event: string, fields: Record<string, unknown>): void {
		this.out(JSON.stringify({ event, ...fields }));
	}
	start(files: LocalFile[]): void {
		const totalBytes = files.reduce((n, f) => n + f.size, 0);
		this.emit("start", { files: files.length, totalBytes });
	}
	fileStart(file: LocalFile, info: FileStart): void {
		this.emit("file-start", { path: file.path, name: file.name, size: file.size, ...info });
	}
	part(file: LocalFile, part: { partNumber: number; size: number }): void {
		this.emit("part", { path: file.path, ...part });
	}
	fileDone(file: LocalFile, o: FileOutcome): void {
		this.emit("file-done", {
			path: file.path,
			name: file.name,
			uploadId: o.uploadId,
			fileId: o.upload.fileId,
			state: o.upload.state,
			command: { id: o.command.id, status: o.command.status, result: o.command.result },
			resumed: o.resumed,
			partsSent: o.partsSent,
		});
	}
	fileFailed(file: LocalFile, why: Described): void {
		this.emit("file-failed", { path: file.path, name: file.name, ...why });
	}
	waiting(problem: ProblemBody, waitMs: number): void {
		this.emit("waiting", { code: problem.code, title: problem.title, waitMs });
	}
	retrying(attempt: number, waitMs: number, cause: string): void {
		this.emit("retrying", { attempt, waitMs, cause });
	}
	/** Progress within a part is left out of the JSON lines: `part` events say what is recorded. */
	body(): void {}
	finish(s: Summary): void {
		this.emit("summary", { ...s });
	}
}
