/**
 * The shapes a LinkDO answers with over RPC; the API serializes them as they are.
 */
import type { LinkState, Phase } from "../domain/lifecycle";
import type { LinkSettings } from "../domain/settings";

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
