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
