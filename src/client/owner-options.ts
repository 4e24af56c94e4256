/**
 * The options of `OwnerClient` (owner.ts re-exports them all).
 */
import { FINAL_STATUSES } from "../contract/enums.ts";

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface OwnerClientOptions {
	/** An owner's API key (`Authorization: Bearer <apiKey>`). */
	apiKey?: string;
	/** The admin token; admin routes need it, owner routes accept it for any link. */
	adminToken?: string;
	fetch?: Fetch;
	sleep?: (ms: number) => Promise<void>;
}

/** Conditions and keys of a lifecycle request. */
export interface LifecycleOptions {
	/** `If-Match`: the link's ETag (`"<epoch>.<settingsRevision>"`) or `"<epoch>"`. */
	ifMatch?: string;
	/** `Idempotency-Key` (revoke and delete): a replay answers the same command. */
	idempotencyKey?: string;
	/** Extra headers, sent as they are. */
	headers?: Record<string, string>;
}

export type LifecycleKind = "pause" | "resume" | "revoke" | "delete";

export interface PageOptions {
	limit?: number;
	cursor?: string | null;
}

export interface WaitOptions {
	/** Statuses that end the wait (default: the final ones). */
	statuses?: readonly string[];
	/** Give up (an Error) after this long (default 60 s). */
	timeoutMs?: number;
	/** The longest wait between polls (default 250 ms); they start at 50 ms or less. */
	pollMs?: number;
	/** Stops the wait: the poll in flight and the sleep (the wait rejects with its reason). */
	signal?: AbortSignal;
}

/** The statuses after which a command never changes (the contract's `FINAL_STATUSES`). */
export const FINAL_COMMAND_STATUSES: readonly string[] = FINAL_STATUSES;
