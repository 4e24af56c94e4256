/**
 * The RPC contract of LinkDO: every input its methods take and every shape
 * they answer with (the API serializes the answers as they are). The edge,
 * the consumers and the tests import these types from here only.
 */
import type { Caller } from "../domain/actor";
import type { IfMatch, LinkState, Phase } from "../domain/lifecycle";
import type { LinkSettings, SettingsPatch } from "../domain/settings";
import type { WriteFailure } from "../domain/uploads";

// --- inputs -------------------------------------------------------------------

export interface CreateLinkInput {
	linkId: string;
	ownerId: string;
	tokenHash: string;
	settings: LinkSettings;
	passwordHash: string | null;
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

/** What happened to the R2 write between admit and record. */
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

export interface UploadCursor {
	createdAt: string;
	id: string;
}

// --- answers ------------------------------------------------------------------

export interface LinkCounters {
	files: number;
	bytes: number;
	reservedFiles: number;
	reservedBytes: number;
}

export interface CommandView {
	id: string;
	linkId: string;
	seq: number;
	kind: string;
	actor: string;
	status: string;
	acceptedEpoch: number;
	appliedEpoch: number | null;
	result: string | null;
	error: string | null;
	attempts: number;
	steps: { name: string; done: boolean }[];
	createdAt: string;
	updatedAt: string;
	finishedAt: string | null;
}

export interface LinkView {
	id: string;
	ownerId: string;
	state: LinkState;
	/** The state as the terminal-state table sees it: `closing` while a terminal command waits. */
	phase: Phase;
	closing: boolean;
	epoch: number;
	terminalEpoch: number | null;
	/** 1 at creation, +1 on every applied settings PATCH; the ETag is `"<epoch>.<settingsRevision>"`. */
	settingsRevision: number;
	settings: LinkSettings & { passwordRequired: boolean };
	counters: LinkCounters;
	pendingCommands: CommandView[];
	createdAt: string;
	updatedAt: string;
}

/** What an uploader may see of a link. */
export interface PublicLinkView {
	title: string;
	description: string;
	state: LinkState;
	phase: Phase;
	epoch: number;
	passwordRequired: boolean;
	requireUploaderName: boolean;
	requireUploaderEmail: boolean;
	expiresAt: string | null;
	limits: {
		maxFiles: number | null;
		maxFileBytes: number;
		maxTotalBytes: number | null;
		allowedExtensions: string[];
		allowedMimeTypes: string[];
		remainingFiles: number | null;
		remainingBytes: number | null;
	};
	defaultPartSize: number;
	minPartSize: number;
}

/** What a drain did: the consumer acks or retries each message from this. */
export interface DrainReport {
	/** idle: nothing left; blocked: a dead-lettered command heads the log; failed: a step threw. */
	outcome: "idle" | "blocked" | "failed";
	/** Commands still not final after this drain. */
	unfinished: string[];
	error?: string;
	failedCommandId?: string;
}

export interface UploadView {
	id: string;
	name: string;
	size: number;
	type: string;
	mode: "single" | "multipart";
	partSize: number | null;
	partCount: number;
	state: string;
	admittedEpoch: number;
	completedEpoch: number | null;
	finalizedEpoch: number | null;
	parts: { partNumber: number; size: number; etag: string }[];
	finalize: { commandId: string; status: string; result: string | null } | null;
	fileId: string | null;
	sha256: string | null;
	uploaderName: string | null;
	uploaderEmail: string | null;
	expiresAt: string;
	createdAt: string;
	updatedAt: string;
}

/** What an admitted write may do: the R2 key and the exact length it must write. */
export interface WriteGrant {
	key: string;
	r2UploadId: string | null;
	/** Bytes the body must have (single PUT or this part). */
	expectedLength: number;
	sha256: string | null;
	/** For complete: the parts to commit. */
	parts: { partNumber: number; etag: string }[];
	/** For complete: the upload is already completed (a repeated complete answers 200). */
	alreadyCompleted: boolean;
	epoch: number;
}
