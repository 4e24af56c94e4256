// The shape of results.json: what every phase measured, plus the run's metadata.
import type { CommandView, LinkView } from "../../src/client/index.ts";
import type { CpuDelta } from "./cpu.ts";
import type { ProfileSummary } from "./profile.ts";

export interface Machine {
	nproc: number;
	cpuModel: string | null;
	freeG: string | null;
	uname: string | null;
	node: string;
	wrangler: string | null;
	workerd: string | null;
	miniflare: string | null;
}

export interface Meta {
	startedAt: string;
	loadavgStart: number[];
	machine: Machine;
	commit: string | null;
	srcDigest: string | null;
	serviceRoot: string;
	maxBatchTimeoutS: number | null;
	options: {
		rounds: number;
		concurrencies: number[];
		partsPerRun: Record<number, number>;
		tinyCount: number;
		tinyBytes: number;
		commandSamples: number;
		cleanupSizes: number[];
		cleanupCompletedEvery: number;
		pollMs: number;
	};
	finishedAt?: string;
	durationS?: number;
	loadavgEnd?: number[];
}

export interface LatencySummary {
	n: number;
	p50: number | null;
	p90: number | null;
	p99: number | null;
	max: number | null;
}

/** Server-Timing `do` entries of a set of requests. */
export interface DoStats {
	samples: number;
	callsMin: number;
	callsMax: number;
	msP50: number | null;
	msP99: number | null;
}

// --- (a) ---

export type PartTargetKey = "baseline" | "guard" | "ours";

/** What every timed run records, whatever it sent. */
export interface TimedRun {
	round: number;
	concurrency: number;
	wallMs: number | null;
	latencies: number[];
	/** Server-Timing of the service's requests; null for the baseline. */
	do: DoStats | null;
}

/** A timed run with the server's CPU time around it. */
export interface MeasuredRun extends TimedRun {
	cpu: CpuDelta | null;
	clientCpuMs: number | null;
}

export interface PartRun extends MeasuredRun {
	target: PartTargetKey;
	parts: number;
	mibps: number | null;
	cpuMsPerPart: number | null;
}

export interface PartSummary extends LatencySummary {
	mibps: number | null;
	mibpsByRound: (number | null)[];
	cpuMsPerPart: number | null;
	do?: DoStats | null;
}

export interface PartsRow {
	concurrency: number;
	baseline: PartSummary;
	guard: PartSummary;
	ours: PartSummary;
	ratio: number | null;
	guardRatio: number | null;
	pairedRatios: (number | null)[];
}

export interface PartsResult {
	partBytes: number;
	partsPer: Record<number, number>;
	runs: PartRun[];
	summary: PartsRow[];
}

// --- (b) ---

export type TinyTargetKey = "baseline" | "guard" | "rpc" | "ours";

export interface TinyRun extends MeasuredRun {
	target: TinyTargetKey;
	n: number;
	rps: number | null;
	cpuMsPerRequest: number | null;
}

/** The service's inits before a tiny run, timed on their own. */
export interface TinyInitRun extends TimedRun {
	n: number;
	rps: number | null;
}

export interface TinySummary extends LatencySummary {
	rps: number | null;
	rpsByRound: (number | null)[];
	cpuMsPerRequest: number | null;
	do?: DoStats | null;
}

export type TinyRow = Partial<Record<TinyTargetKey, TinySummary>> & { ratio?: number | null };

export interface TinyResult {
	bytes: number;
	count: number;
	runs: TinyRun[];
	inits: TinyInitRun[];
	summary: {
		c16: TinyRow;
		c1: TinyRow;
		init: LatencySummary & { rps: number | null; do: DoStats | null };
	};
}

// --- (c) ---

export interface CommandSample {
	ms: number | null;
	serverMs: number;
	status: string;
}

export interface RevokeSample extends CommandSample {
	firstChangeSentAt: number | null;
	polls: number;
}

export interface FinalizeSample extends CommandSample {
	result: string | null;
	polls: number;
}

export interface CommandSummary extends LatencySummary {
	serverP50: number | null;
	serverP99: number | null;
	allSucceeded: boolean;
}

/** The link-commands consumer's work for a set of commands (from the service's log). */
export interface ConsumerCost {
	commands: number;
	/** Batches delivered to the consumer (one invocation each). */
	invocations: number;
	/** Messages in those batches (a command's retries and re-sends count again). */
	messages: number;
	perCommand: number;
}

export interface CommandsResult {
	pollMs: number;
	/** Missing in results from before it was measured. */
	cost?: { serial: ConsumerCost; burst: ConsumerCost };
	samples: { revoke: RevokeSample[]; finalize: FinalizeSample[]; burst: CommandSample[] };
	summary: { revoke: CommandSummary; finalize: CommandSummary; burst: CommandSummary };
}

// --- (d) ---

export type CleanupKind = "revoke" | "delete";

export interface CleanupRow {
	kind: CleanupKind;
	uploads: number;
	completed: number;
	open: number;
	counters: LinkView["counters"];
	ms: number | null;
	serverMs: number;
	status: string;
	steps: CommandView["steps"];
	polls: number;
	stalledFromMs: number | null;
	longestPollMs: number | null;
	probe: { n: number; p50: number | null; max: number | null };
	populateS: number | null;
}

export interface CleanupFit {
	interceptMs: number | null;
	msPerUpload: number | null;
	r2: number | null;
	decade: [number, number];
	ratioLastDecade: number | null;
	fixedMs: number | null;
	exponentLastDecade: number | null;
}

export interface CleanupResult {
	putEvery: number;
	sizes: number[];
	results: CleanupRow[];
	fits: Record<CleanupKind, CleanupFit | null>;
}

// --- (f) ---

export type TusTargetKey = "baseline" | "native" | "tus-one" | "tus-8mib";

/** One 64 MiB file sent one request at a time: 8 parts, one PATCH or 8 PATCHes. */
export interface TusRun extends MeasuredRun {
	target: TusTargetKey;
	requests: number;
	mibps: number | null;
	cpuMsPerMiB: number | null;
}

export interface TusSummary extends LatencySummary {
	mibps: number | null;
	mibpsByRound: (number | null)[];
	requests: number;
	cpuMsPerMiB: number | null;
}

export interface TusResult {
	fileBytes: number;
	runs: TusRun[];
	summary: Record<TusTargetKey, TusSummary>;
	ratios: {
		oneToNative: number | null;
		eightToNative: number | null;
		nativeToBaseline: number | null;
		oneToBaseline: number | null;
		eightToBaseline: number | null;
	};
}

// --- (e) and the rest ---

export interface DoCallsRow {
	op: string;
	status: number;
	calls?: number;
	ms?: number;
}

// --- (g) ---

/** (g): a bare R2 PUT, today's init + PUT + finalize, the one-request upload. */
export type SmallTargetKey = "bare" | "three" | "one";

export interface SmallRun extends MeasuredRun {
	target: SmallTargetKey;
	bytes: number;
	n: number;
	/** Complete uploads per second (each to its 202 for the service). */
	ups: number | null;
	/** HTTP requests per second (3 per upload for `three`). */
	rps: number | null;
	/** Uploads per second until the run's last finalize is final (null for bare R2). */
	finalizedUps: number | null;
}

export interface SmallSummary extends LatencySummary {
	ups: number | null;
	rps: number | null;
	finalizedUps: number | null;
	upsByRound: (number | null)[];
	cpuMsPerUpload: number | null;
	do?: DoStats | null;
}

export interface SmallRow {
	bytes: number;
	concurrency: number;
	bare: SmallSummary;
	three: SmallSummary;
	one: SmallSummary;
	/** Uploads per second of the one-request path over the three-request path's. */
	oneToThree: number | null;
	oneToBare: number | null;
	threeToBare: number | null;
}

export interface SmallResult {
	sizes: number[];
	concurrencies: number[];
	count: Record<number, number>;
	runs: SmallRun[];
	summary: SmallRow[];
}

export interface SqlCalibration {
	statements: number;
	readUs: number | null;
	writeUs: number | null;
}

export interface Verdict {
	id: string;
	target: string;
	measured: string;
	ok: boolean | null;
}

export interface Results {
	meta: Meta;
	doCalls?: { rows: DoCallsRow[] };
	parts?: PartsResult;
	tiny?: TinyResult;
	commands?: CommandsResult;
	cleanup?: CleanupResult;
	tus?: TusResult;
	small?: SmallResult;
	sqlCalibration?: SqlCalibration;
	profiles?: Record<string, ProfileSummary | null>;
	targets?: Verdict[];
}
