/**
 * The reporters for people: bars in a terminal (cli-progress's MultiBar:
 * it redraws several bars in place, throttled, and lets messages scroll
 * above them) and plain lines when stdout is a pipe or a file.
 */
import cliProgress from "cli-progress";
import type { ProblemBody } from "../../src/client/index.ts";
import { formatBytes } from "../../src/client/vocabulary.ts";
import type { Described } from "../exit.ts";
import { formatDuration, formatRate } from "../format.ts";
import type { LocalFile } from "./files.ts";
import {
	Meter,
	outcomeWords,
	type Reporter,
	type Summary,
	summaryLines,
	waitingWords,
} from "./report.ts";
import type { FileOutcome, FileStart } from "./strategy.ts";

const NAME_WIDTH = 28;

function label(name: string): string {
	return name.length > NAME_WIDTH ? `…${name.slice(-(NAME_WIDTH - 1))}` : name.padEnd(NAME_WIDTH);
}

function numbers(m: Meter): { done: string; size: string; speed: string; left: string } {
	return {
		done: formatBytes(m.shown(), "column"),
		size: formatBytes(m.total, "column"),
		speed: formatRate(m.rate()),
		left: formatDuration(m.eta()),
	};
}

/** Tells waits once per stall (again when the reason changes), not on every retry. */
class WaitNotice {
	private last = "";
	words(problem: ProblemBody, waitMs: number): string | null {
		if (problem.code === this.last) return null;
		this.last = problem.code;
		return waitingWords(problem, waitMs);
	}
	clear(): void {
		this.last = "";
	}
}

/** Beyond this many files, one bar shows the file being sent instead of a bar per file. */
const MAX_FILE_BARS = 12;

/**
 * Bars in a terminal. Every bar is created before the first frame and
 * messages about files wait for the end: creating bars or logging above
 * them while they redraw is where MultiBar's cursor arithmetic slips.
 * Waits and retries, rare, are logged at once.
 */
export class TtyReporter implements Reporter {
	private readonly bars: cliProgress.MultiBar;
	private totalBar: cliProgress.SingleBar | null = null;
	private total = new Meter(0);
	private readonly fileBars = new Map<string, cliProgress.SingleBar>();
	private current: cliProgress.SingleBar | null = null;
	private readonly meters = new Map<string, { file: LocalFile; meter: Meter; status: string }>();
	private readonly notice = new WaitNotice();
	private readonly outcomes: string[] = [];
	private count = { files: 0, done: 0 };
	private timer: ReturnType<typeof setInterval> | null = null;
	private currentPath = "";

	constructor(stream: NodeJS.WriteStream = process.stdout) {
		this.bars = new cliProgress.MultiBar(
			{
				format: "{name} {bar} {percentage}% | {done}/{size} | {speed} | ETA {left}{status}",
				barsize: 20,
				hideCursor: true,
				clearOnComplete: false,
				stopOnComplete: false,
				autopadding: true,
				stream,
				fps: 8,
			},
			cliProgress.Presets.shades_classic,
		);
	}

	start(files: LocalFile[]): void {
		const bytes = files.reduce((n, f) => n + f.size, 0);
		this.total = new Meter(bytes);
		this.count.files = files.length;
		this.totalBar = this.bars.create(Math.max(1, bytes), 0, this.totalPayload());
		const idle = { done: "-", size: "-", speed: "-", left: "--", status: "" };
		if (files.length <= MAX_FILE_BARS)
			for (const f of files)
				this.fileBars.set(
					f.path,
					this.bars.create(Math.max(1, f.size), 0, {
						...idle,
						name: label(f.name),
						size: formatBytes(f.size, "column"),
					}),
				);
		else this.current = this.bars.create(1, 0, { ...idle, name: label("") });
		// Rate and ETA move between parts too.
		this.timer = setInterval(() => this.redraw(), 500);
	}
	fileStart(file: LocalFile, info: FileStart): void {
		this.currentPath = file.path;
		this.meters.set(file.path, { file, meter: new Meter(file.size, info.bytesStored), status: "" });
		this.total.skip(info.bytesStored);
		if (info.resumed)
			this.outcomes.push(
				`${file.name}: resumed upload ${info.uploadId} (${info.partsStored.length} of ${info.partCount} parts were stored)`,
			);
		this.redraw(file.path);
	}
	part(file: LocalFile, part: { partNumber: number; size: number }): void {
		this.notice.clear();
		this.meters.get(file.path)?.meter.add(part.size);
		this.total.add(part.size);
		this.redraw(file.path);
	}
	fileDone(file: LocalFile, outcome: FileOutcome): void {
		this.count.done++;
		const m = this.meters.get(file.path);
		if (m) {
			m.meter.done = m.meter.total;
			m.status = outcome.command.status === "succeeded" ? " | finalized" : " | sent";
		}
		this.outcomes.push(`${file.name}: ${outcomeWords(outcome)}`);
		this.redraw(file.path);
	}
	fileFailed(file: LocalFile, why: Described): void {
		const m = this.meters.get(file.path);
		if (m) m.status = " | failed";
		this.outcomes.push(`${file.name}: ${why.message}`);
		this.redraw(file.path);
	}
	waiting(problem: ProblemBody, waitMs: number): void {
		const words = this.notice.words(problem, waitMs);
		if (words) this.bars.log(`${words}\n`);
	}
	retrying(attempt: number, waitMs: number, cause: string): void {
		this.bars.log(`connection failed (${cause}); retry ${attempt} in ${waitMs / 1000} s\n`);
	}
	body(request: object, sent: number, finished: boolean): void {
		this.meters.get(this.currentPath)?.meter.flight(request, sent, finished);
		this.total.flight(request, sent, finished);
	}
	finish(summary: Summary): void {
		if (this.timer) clearInterval(this.timer);
		this.redraw();
		// Draws the bars once more and flushes any message queued since the last frame.
		this.bars.update();
		this.bars.stop();
		process.stdout.write(`${[...this.outcomes, ...summaryLines(summary)].join("\n")}\n`);
	}

	private totalPayload() {
		return {
			name: label(`total (${this.count.done}/${this.count.files} files)`),
			...numbers(this.total),
			status: "",
		};
	}
	/** Updates the bars' values (MultiBar draws them on its own clock). */
	private redraw(path?: string): void {
		for (const [p, { file, meter, status }] of this.meters) {
			const bar = this.fileBars.get(p) ?? (p === path ? this.current : null);
			if (!bar) continue;
			if (bar === this.current) bar.setTotal(Math.max(1, file.size));
			const shown = status || (meter.done >= meter.total ? " | finalizing" : "");
			bar.update(meter.shown(), { name: label(file.name), ...numbers(meter), status: shown });
		}
		this.totalBar?.update(this.total.shown(), this.totalPayload());
	}
}

/** Plain progress lines (stdout not a terminal): a line per file event, progress at most every 2 s. */
export class LineReporter implements Reporter {
	private total = new Meter(0);
	private readonly meters = new Map<string, Meter>();
	private readonly notice = new WaitNotice();
	private lastLine = 0;
	private current: LocalFile | null = null;
	private readonly out: (line: string) => void;
	private readonly err: (line: string) => void;

	constructor(
		out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
		err: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
	) {
		this.out = out;
		this.err = err;
	}

	start(files: LocalFile[]): void {
		this.total = new Meter(files.reduce((n, f) => n + f.size, 0));
		this.out(`uploading ${files.length} file(s), ${formatBytes(this.total.total, "column")}`);
	}
	fileStart(file: LocalFile, info: FileStart): void {
		const meter = new Meter(file.size, info.bytesStored);
		this.meters.set(file.path, meter);
		this.current = file;
		this.total.skip(info.bytesStored);
		const parts = info.mode === "multipart" ? `, ${info.partCount} parts` : "";
		const resumed = info.resumed
			? `; resuming upload ${info.uploadId}, ${info.partsStored.length} of ${info.partCount} parts already stored`
			: "";
		this.out(`${file.name}: ${formatBytes(file.size, "column")}${parts}${resumed}`);
	}
	part(file: LocalFile, part: { partNumber: number; size: number }): void {
		this.notice.clear();
		const m = this.meters.get(file.path);
		m?.add(part.size);
		this.total.add(part.size);
		if (m) this.progress(file, m, m.done >= m.total);
	}
	body(request: object, sent: number, finished: boolean): void {
		const current = this.current;
		const m = current && this.meters.get(current.path);
		if (!current || !m) return;
		m.flight(request, sent, finished);
		this.total.flight(request, sent, finished);
		this.progress(current, m, false);
	}
	/** A progress line at most every 2 s (and when the file's bytes are all in). */
	private progress(file: LocalFile, m: Meter, last: boolean): void {
		const now = Date.now();
		if (!last && now - this.lastLine < 2000) return;
		this.lastLine = now;
		const n = numbers(m);
		const t = numbers(this.total);
		const pct = m.total ? Math.floor((100 * m.shown()) / m.total) : 100;
		this.out(
			`${file.name}: ${n.done}/${n.size} ${pct}% ${n.speed} ETA ${n.left} | total ${t.done}/${t.size} ETA ${t.left}`,
		);
	}
	fileDone(file: LocalFile, outcome: FileOutcome): void {
		this.out(`${file.name}: ${outcomeWords(outcome)}`);
	}
	fileFailed(file: LocalFile, why: Described): void {
		this.err(`${file.name}: ${why.message}`);
	}
	waiting(problem: ProblemBody, waitMs: number): void {
		const words = this.notice.words(problem, waitMs);
		if (words) this.err(words);
	}
	retrying(attempt: number, waitMs: number, cause: string): void {
		this.err(`connection failed (${cause}); retry ${attempt} in ${waitMs / 1000} s`);
	}
	finish(summary: Summary): void {
		const lines = summaryLines(summary);
		const [first, ...rest] = lines;
		if (first) this.out(first);
		for (const l of rest) (summary.exitCode === 0 ? this.out : this.err)(l);
	}
}
