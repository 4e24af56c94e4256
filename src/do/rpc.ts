/**
 * The RPC contract of LinkDO: every input its methods take and every shape
 * they answer with (the API serializes the answers as they are). The edge,
 * the consumers and the tests import these types from here only.
 */
import type {
	CommandView,
	LinkView,
	PublicLinkView,
	UploadProtocol,
	UploadView,
} from "../contract";
import type { Caller } from "../domain/actor";
import type { WriteFailure } from "../domain/fence";
import type { IfMatch } from "../domain/lifecycle";
import type { LinkSettings, SettingsPatch } from "../domain/settings";

// --- inputs -------------------------------------------------------------------

export interface CreateLinkInput {
	linkId: string;
	ownerId: string;
	tokenHash: string;
	/** The secret sealed for the owner (src/lib/seal.ts); none: the URL cannot be shown again. */
	secretBox?: string | null;
	settings: LinkSettings;
	passwordHash: string | null;
	/** The most links its owner may hold (deleted ones aside); null: no cap. */
	maxLinks: number | null;
}

/** A settings patch as it reaches the DO: the password already hashed at the edge. */
export type SettingsUpdate = Omit<SettingsPatch, "password"> & { passwordHash?: string | null };

export interface CommandRequest {
	caller: Caller;
	kind: "revoke" | "delete";
	/** Only its epoch is compared (a lifecycle call). */
	ifMatch?: IfMatch;
	/** Idempotency-Key and the hash of the request it came with. */
	idempotency?: { key: string; requestHash: string };
}

/** Proof an uploader holds the link secret and the upload token (their hashes). */
export interface UploadAuth {
	linkSecretHash: string;
	uploadId: string;
	tokenHash: string;
}

export interface InitRequest {
	linkSecretHash: string;
	uploadId: string;
	tokenHash: string;
	name: string;
	size: number;
	type: string;
	uploaderName: string | null;
	uploaderEmail: string | null;
	sha256: string | null;
	/** Whether the uploader sent a password at all. */
	passwordGiven: boolean;
	/**
	 * The password's hash under the link's params, derived at the edge after a
	 * `password` challenge (PBKDF2 never runs in the Durable Object).
	 */
	passwordProof: { params: string; hash: string } | null;
	idempotency?: { key: string; requestHash: string };
	/** `tus` for the tus endpoint's creation (multipart unless empty); native by default. */
	protocol?: UploadProtocol;
}

/** A tus PATCH asks to hold the upload from `offset` on. */
export type TusBeginRequest = UploadAuth & { offset: number };

/** What a tus PATCH may do: where the upload stands and where its bytes go. */
export interface TusGrant {
	/** The durable offset (recorded parts plus the remainder). */
	offset: number;
	size: number;
	partSize: number;
	/** The next part to write (1-based); the remainder belongs at its start. */
	nextPart: number;
	/** Bytes of the remainder object (`restKey`) that precede `offset`'s part boundary. */
	restSize: number;
	key: string;
	/** The remainder object the offset counts (null when `restSize` is 0). */
	restKey: string | null;
	/** This PATCH's hold: only its end counts; its own remainder goes to `newRestKey`. */
	hold: string;
	newRestKey: string;
	/** The store's id of the upload's multipart upload. */
	multipartId: string | null;
	/** The upload is complete already (a repeated final PATCH). */
	completed: boolean;
}

/** A tus PATCH ends: the durable offset it leaves, whether it wrote a new remainder object, whether it was refused. */
export interface TusEndRequest {
	uploadId: string;
	/** The hold `tusBegin` gave this PATCH. */
	hold: string;
	offset: number;
	/** Whether this PATCH wrote its remainder object (`newRestKey`). */
	restWritten: boolean;
	/**
	 * The PATCH was refused as a whole (its body overran the upload): the
	 * offset goes back to `offset`, where it began, whatever parts it recorded.
	 */
	refused: boolean;
}

/**
 * An init either needs the password's hash derived under `params` first, or
 * it is done. A multipart upload names the R2 key its multipart upload must
 * be created under (`needsMultipart`), recorded by `recordInit`.
 */
export type InitOutcome =
	| { kind: "password"; params: string }
	| {
			kind: "created";
			upload: UploadView;
			replayed: boolean;
			needsMultipart: { key: string } | null;
	  };

export type WriteOp = "single-put" | "part-put" | "complete";

/** What happened to the R2 write between admit and record (its answer: src/domain/fence.ts). */
export type WriteOutcome =
	| { ok: true; etag: string; size: number }
	| { ok: false; reason: WriteFailure };

export type WriteRequest = UploadAuth & { op: WriteOp; partNumber?: number };

export interface RecordRequest {
	uploadId: string;
	op: WriteOp;
	partNumber?: number;
	outcome: WriteOutcome;
}

/**
 * What the admit of a one-request upload answers: the password challenge (as
 * for an init), the write it may do (its new session, leased for this one
 * write), or, for an `Idempotency-Key` replay, the command its first request
 * got (nothing is written again).
 */
export type SmallAdmitOutcome =
	| { kind: "password"; params: string }
	| { kind: "write"; grant: WriteGrant; upload: UploadView }
	| { kind: "replayed"; command: CommandView; upload: UploadView };

/** The record of a one-request upload's write, and the finalize it asks for (its session's proof). */
export interface SmallRecordRequest {
	auth: UploadAuth;
	outcome: WriteOutcome;
}

/** A recorded one-request upload: its finalize command (accepted, queued) and the upload. */
export interface SmallRecorded {
	command: CommandView;
	upload: UploadView;
}

export interface UploadCursor {
	createdAt: string;
	id: string;
}

/** The DLQ consumer's report: a command's message (of replay generation `generation`) ran out of retries. */
export interface DeadLetterReport {
	commandId: string;
	/** The message's replay generation (version 1 messages: 0). */
	generation: number;
	/** The DLQ message's id, for the D1 row. */
	messageId?: string;
}

// --- answers ------------------------------------------------------------------

/** The views the API answers with, as the contract declares them (src/contract). */
export type { CommandView, LinkView, PublicLinkView, UploadView };

/** What a drain did: the consumer acks or retries each message from this. */
export interface DrainReport {
	/** idle: nothing left; blocked: a dead-lettered command heads the log; failed: a step threw. */
	outcome: "idle" | "blocked" | "failed";
	/** Commands still not final after this drain. */
	unfinished: string[];
	error?: string;
	failedCommandId?: string;
}

/** What an admitted write may do: the R2 key and the exact length it must write. */
export interface WriteGrant {
	key: string;
	/** The store's id of the multipart upload (parts, complete); null for a single upload. */
	multipartId: string | null;
	/** Bytes the body must have (single PUT or this part). */
	expectedLength: number;
	sha256: string | null;
	/** For complete: the parts to commit. */
	parts: { partNumber: number; etag: string }[];
	/** For complete: the upload is already completed (a repeated complete answers 200). */
	alreadyCompleted: boolean;
	epoch: number;
}

/** One repair the reconciler made on a link (each is logged as `reconcile.repair`). */
export type ReconcileRepair =
	| { kind: "outbox-resent"; count: number }
	| { kind: "dead-letter-recorded"; commandId: string }
	| { kind: "sweep-rearmed"; count: number }
	| { kind: "projection-repaired"; fields: string[] };

/** What `reconcile()` did and the link's true projection. */
export interface ReconcileReport {
	linkId: string;
	/** The projection as the DO sees it (what D1's `links` row must say). */
	view: LinkView;
	version: number;
	/** Terminal, no object left to sweep, no sweep pending, no command unfinished. */
	swept: boolean;
	repairs: ReconcileRepair[];
}
