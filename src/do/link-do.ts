/**
 * LinkDO: the authoritative state of one receive link, one Durable Object per
 * link. A flat facade: each RPC method delegates to one of the services in
 * services/, all built from one narrow host (host.ts). Inputs and answers are
 * declared in rpc.ts.
 *
 * Durable Objects run one request at a time only between awaits on their own
 * storage: an await on D1, R2 or a queue lets other requests in. So every
 * service takes its decision and writes its result synchronously (or in one
 * storage transaction) before the first such await.
 */
import { DurableObject } from "cloudflare:workers";
import type { Caller } from "../domain/actor";
import type { AuditReport } from "../domain/audit";
import type { IfMatch } from "../domain/lifecycle";
import type { Result } from "../domain/problems";
import { errorField, logEvent } from "../lib/log";
import { TIMERS, type TimerName } from "../storage/names";
import { type LinkHooks, NO_HOOKS } from "./hooks";
import { type LinkHost, linkHost } from "./host";
import type {
	CommandRequest,
	CommandView,
	CreateLinkInput,
	DeadLetterReport,
	DrainReport,
	InitOutcome,
	InitRequest,
	LinkView,
	PublicLinkView,
	ReconcileReport,
	RecordRequest,
	SettingsUpdate,
	SmallAdmitOutcome,
	SmallRecorded,
	SmallRecordRequest,
	TusBeginRequest,
	TusEndRequest,
	TusGrant,
	UploadAuth,
	UploadCursor,
	UploadView,
	WriteGrant,
	WriteRequest,
} from "./rpc";
import { Audit } from "./services/audit";
import { Cleanup } from "./services/cleanup";
import { Commands } from "./services/commands";
import { DeadLetters } from "./services/dead-letters";
import { Drain } from "./services/drain";
import { Finalizer } from "./services/finalize";
import { UploadLedger } from "./services/ledger";
import { LinkControls } from "./services/link-controls";
import { LinkRow } from "./services/link-row";
import { Outbox } from "./services/outbox";
import { Reconcile } from "./services/reconcile";
import { Sessions } from "./services/sessions";
import { SmallUploads } from "./services/small";
import { TusLedger } from "./services/tus";
import { WriteFence } from "./services/writes";

/** How soon a timer whose work threw runs again. */
const TIMER_RETRY_MS = 30_000;

export class LinkDO extends DurableObject<Env> {
	/** Test hooks (test/hooks.ts installs them on a live instance); none in production. */
	hooks: LinkHooks = NO_HOOKS;

	private readonly host: LinkHost;
	private readonly row: LinkRow;
	private readonly outbox: Outbox;
	private readonly controls: LinkControls;
	private readonly drainer: Drain;
	private readonly commands: Commands;
	private readonly ledger: UploadLedger;
	private readonly writes: WriteFence;
	private readonly tus: TusLedger;
	private readonly small: SmallUploads;
	private readonly auditor: Audit;
	private readonly deadLetters: DeadLetters;
	private readonly reconciler: Reconcile;
	/** What each timer runs when it is due. */
	private readonly timerWork: Record<TimerName, () => Promise<void>>;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		const host = linkHost(ctx, env, () => this.hooks);
		const row = new LinkRow(host);
		const outbox = new Outbox(host, row);
		const sessions = new Sessions(host, row);
		const finalizer = new Finalizer(host, row, sessions);
		const uploadDeps = { host, row, sessions, finalizer, outbox };
		const cleanup = new Cleanup(uploadDeps);
		const drainer = new Drain(host, row, cleanup, finalizer);
		this.host = host;
		this.row = row;
		this.outbox = outbox;
		this.drainer = drainer;
		this.controls = new LinkControls(host, row);
		this.commands = new Commands(host, row, outbox, drainer);
		this.ledger = new UploadLedger(uploadDeps);
		this.tus = new TusLedger(uploadDeps);
		this.writes = new WriteFence(host, row, sessions);
		this.small = new SmallUploads(uploadDeps, this.ledger, this.writes);
		this.auditor = new Audit(host, row, drainer);
		this.deadLetters = new DeadLetters(host, row);
		this.reconciler = new Reconcile(host, row, outbox, this.deadLetters);
		this.timerWork = {
			[TIMERS.projection]: () => row.retryProjection(),
			[TIMERS.expire]: () => this.commands.expireNow(),
			[TIMERS.outbox]: () => outbox.resend(),
			[TIMERS.sweep]: () => drainer.sweep(),
			[TIMERS.sessions]: () => cleanup.expireSessions(),
			[TIMERS.events]: () => host.events.flush(),
			[TIMERS.deadLetters]: async () => {
				await this.deadLetters.recordPending();
			},
		};
		// A process that died between a commit and its alarm leaves a timer row
		// without an alarm (an event recorded, never sent): point the alarm at the
		// earliest timer whenever the object starts. Nothing for an object never created.
		// Commands an earlier process sent are re-sent within RESTART_RESEND_MS (outbox.onStart).
		if (row.exists)
			ctx.blockConcurrencyWhile(() => {
				outbox.onStart();
				return host.timers.rearm();
			});
	}

	/**
	 * Answers "pong" and touches no storage: GET /readyz calls it on a probe
	 * object (`probeStub`), which it never turns into a link.
	 */
	ping(): string {
		return "pong";
	}

	// --- lifecycle (owners, admins) -------------------------------------------

	/** Creates the link at epoch 1. Called once, by POST /api/links. */
	async create(input: CreateLinkInput): Promise<Result<LinkView>> {
		return this.controls.create(input);
	}

	/** The link as its owner (or an admin) sees it. */
	async get(caller: Caller): Promise<Result<LinkView>> {
		return this.controls.get(caller);
	}

	async secretBox(caller: Caller): Promise<Result<{ secretBox: string | null }>> {
		return this.controls.secretBox(caller);
	}

	/** PATCH settings: synchronous, no epoch change; the settings revision (ETag) changes. */
	async updateSettings(
		caller: Caller,
		update: SettingsUpdate,
		ifMatch?: IfMatch,
	): Promise<Result<LinkView>> {
		return this.controls.updateSettings(caller, update, ifMatch);
	}

	/** Pause: synchronous, +1 epoch; pausing a paused link is a no-op. */
	async pause(caller: Caller, ifMatch?: IfMatch): Promise<Result<LinkView>> {
		return this.controls.transition(caller, "pause", ifMatch);
	}

	/** Resume: synchronous, +1 epoch; resuming an active link is a no-op. */
	async resume(caller: Caller, ifMatch?: IfMatch): Promise<Result<LinkView>> {
		return this.controls.transition(caller, "resume", ifMatch);
	}

	/** Public info for uploaders holding the link secret (its hash, compared timing-safe). */
	async publicInfo(secretHash: string): Promise<Result<PublicLinkView>> {
		return this.controls.publicInfo(secretHash);
	}

	// --- commands ---------------------------------------------------------------

	/** Accepts a revoke or delete (one transaction with its outbox row) and sends it. */
	async requestCommand(
		req: CommandRequest,
	): Promise<Result<{ command: CommandView; created: boolean }>> {
		return this.commands.request(req);
	}

	/** One command; `caller` null when a Retry-Token was verified at the edge. */
	async getCommand(caller: Caller | null, commandId: string): Promise<Result<CommandView>> {
		return this.commands.get(caller, commandId);
	}

	/** Command history, newest first. */
	async listCommands(
		caller: Caller,
		limit: number,
		beforeSeq: number | null,
	): Promise<Result<{ items: CommandView[]; nextCursor: string | null }>> {
		return this.commands.list(caller, limit, beforeSeq);
	}

	/** Applies every pending command in seq order (the queue consumer's call); serialized. */
	async drain(): Promise<DrainReport> {
		return this.drainer.run();
	}

	/**
	 * The DLQ consumer: the command's message ran out of retries. Marks it
	 * dead-lettered (unless final or `generation` is stale) and records the D1
	 * row; null when nothing was dead-lettered.
	 */
	async deadLetter(report: DeadLetterReport): Promise<CommandView | null> {
		return this.deadLetters.mark(report);
	}

	/** Admin replay of a dead-lettered command. */
	async replay(commandId: string): Promise<Result<CommandView>> {
		return this.commands.replay(commandId);
	}

	/** Admin discard of a command. */
	async discard(commandId: string): Promise<Result<CommandView>> {
		return this.commands.discard(commandId);
	}

	// --- uploads ----------------------------------------------------------------

	/** Admits an upload and reserves its quota; a password-protected link answers a challenge first. */
	async initUpload(req: InitRequest): Promise<Result<InitOutcome>> {
		return this.ledger.init(req);
	}

	/** Records the R2 multipart upload created for an admitted init. */
	async recordInit(uploadId: string, multipartId: string): Promise<Result<UploadView>> {
		return this.ledger.recordInit(uploadId, multipartId);
	}

	/** The admit check before an R2 write. */
	async admitWrite(req: WriteRequest): Promise<Result<WriteGrant>> {
		return this.writes.admit(req);
	}

	/** The record check after an R2 write. */
	async recordWrite(req: RecordRequest): Promise<Result<UploadView>> {
		return this.writes.record(req);
	}

	/** Abort by the uploader. Idempotent. */
	async abortUpload(auth: UploadAuth): Promise<Result<null>> {
		return this.ledger.abort(auth);
	}

	/** Abort by the link's owner or an admin. Idempotent. */
	async ownerAbortUpload(caller: Caller, uploadId: string): Promise<Result<null>> {
		return this.ledger.ownerAbort(caller, uploadId);
	}

	/** The uploader's view of its upload. */
	async uploadStatus(auth: UploadAuth): Promise<Result<UploadView>> {
		return this.ledger.status(auth);
	}

	/** Queues the upload's finalize command (one per upload). */
	async requestFinalize(
		auth: UploadAuth,
	): Promise<Result<{ command: CommandView; created: boolean }>> {
		return this.ledger.requestFinalize(auth);
	}

	/** Upload sessions for the owner, newest first. */
	async listUploads(
		caller: Caller,
		limit: number,
		before: UploadCursor | null,
	): Promise<Result<{ items: UploadView[]; nextCursor: UploadCursor | null }>> {
		return this.ledger.list(caller, limit, before);
	}

	/**
	 * One-request upload, before its R2 write: the init and the single PUT's
	 * admit in one transaction (a password-protected link answers a challenge
	 * first, as for an init), or an `Idempotency-Key` replay's command.
	 */
	async admitSmall(req: InitRequest): Promise<Result<SmallAdmitOutcome>> {
		return this.small.admit(req);
	}

	/** One-request upload, after its R2 write: the record check, then its finalize queued. */
	async recordSmall(req: SmallRecordRequest): Promise<Result<SmallRecorded>> {
		return this.small.record(req);
	}

	/** tus: holds the upload for one PATCH at `offset` (the admit of the PATCH). */
	async tusBegin(req: TusBeginRequest): Promise<Result<TusGrant>> {
		return this.tus.begin(req);
	}

	/** tus: the durable offset a PATCH leaves, and the end of its hold (the record). */
	async tusEnd(req: TusEndRequest): Promise<Result<UploadView>> {
		return this.tus.end(req);
	}

	// --- admin and timed work -----------------------------------------------------

	/** Admin audit of the invariants; `sweep` runs the post-terminal sweep first. */
	async audit(
		options: { sweep?: boolean } = {},
	): Promise<Result<AuditReport & { linkId: string }>> {
		return this.auditor.run(options);
	}

	/**
	 * The scheduled reconciler's check (src/reconciler): re-sends an overdue
	 * outbox, records unrecorded dead letters, re-arms the sweep while the
	 * closed link's prefix holds leftovers; answers the true projection.
	 */
	async reconcile(): Promise<ReconcileReport | null> {
		return this.reconciler.run();
	}

	/** Runs the timed work that is due, then re-arms for the next. Idempotent. */
	override async alarm(): Promise<void> {
		if (!this.row.exists) return;
		for (const name of this.host.timers.takeDue(this.host.now())) {
			try {
				await this.timerWork[name]();
			} catch (error) {
				// One timer's failure must not lose the others: this one runs again soon.
				logEvent(
					"timer.failed",
					{ linkId: this.row.link()?.id, timer: name, error: errorField(error) },
					"error",
				);
				await this.host.timers.schedule(name, this.host.now() + TIMER_RETRY_MS);
			}
		}
		await this.outbox.rearmIfPending();
		await this.host.timers.rearm();
	}
}
