/**
 * Upload rules (docs/design.md#upload-rules) and the decisions around every R2 write:
 * the plan an upload gets at init, what a part must look like, what a file
 * may be, quotas, how a record after a terminal transition is judged, and
 * how completed uploads are settled when a link becomes terminal. Pure.
 */
import {
	UPLOAD_MODES,
	UPLOAD_STATES,
	type UploadMode,
	type UploadProtocol,
	type UploadState,
} from "../contract/enums";
import { cleanText, hasVisible } from "../contract/text";
import { isTerminal, type LinkState, TERMINAL_CODE } from "./lifecycle";
import { choosePartSize, DEFAULT_PART_SIZE, MAX_PARTS } from "./parts";
import { type Problem, problem } from "./problems";
import type { LateFinalizePolicy, LinkSettings } from "./settings";

export { UPLOAD_MODES, UPLOAD_STATES, type UploadMode, type UploadState };

/** Files up to this size are sent in one PUT; larger ones in parts. */
export const SINGLE_MAX_BYTES = DEFAULT_PART_SIZE;
/**
 * The absolute cap on a session's life, from its init: past it, the DO's
 * sessions alarm ends it whatever its progress.
 */
export const SESSION_TTL_MS = 24 * 60 * 60 * 1000;
/** How long a session may go without progress before the alarm aborts it (`UPLOAD_IDLE_TIMEOUT_SECONDS`). */
export const DEFAULT_IDLE_TIMEOUT_MS = 30 * 60 * 1000;

/**
 * The idle timeout from the `UPLOAD_IDLE_TIMEOUT_SECONDS` var (whole seconds,
 * at least 1); anything else (unset, empty, zero, not a number) is the default.
 */
export function idleTimeoutMs(configured: string | undefined): number {
	const seconds = Number(configured);
	return configured && Number.isInteger(seconds) && seconds > 0
		? seconds * 1000
		: DEFAULT_IDLE_TIMEOUT_MS;
}

/**
 * A session's expiry after progress at `nowMs` (its init, a recorded part, its
 * completion): `idleMs` from now, never beyond `SESSION_TTL_MS` after
 * `createdAtMs`, and never earlier than it already was (`currentMs`). So a
 * session that sends nothing is aborted after the idle timeout, and one that
 * keeps making progress lives at most 24 h.
 */
export function sessionExpiry(
	createdAtMs: number,
	nowMs: number,
	idleMs: number,
	currentMs = 0,
): number {
	return Math.max(currentMs, Math.min(createdAtMs + SESSION_TTL_MS, nowMs + idleMs));
}

export interface UploadPlan {
	mode: UploadMode;
	partSize: number | null;
	partCount: number;
}

/** The server's choice of mode and part size for a file of `size` bytes. */
export function planUpload(size: number, protocol: UploadProtocol = "native"): UploadPlan {
	// A tus upload arrives in PATCHes of any length, cut into parts: multipart unless empty.
	const single = protocol === "tus" ? size === 0 : size <= SINGLE_MAX_BYTES;
	if (single) return { mode: "single", partSize: null, partCount: 1 };
	const partSize = choosePartSize(size);
	return { mode: "multipart", partSize, partCount: Math.ceil(size / partSize) };
}

/**
 * The exact length part `n` must have: every part but the last is `partSize`
 * (R2 rejects unequal parts), the last holds the rest. Null when `n` is not a
 * part of this upload.
 */
export function expectedPartLength(size: number, partSize: number, n: number): number | null {
	const count = Math.ceil(size / partSize);
	if (!Number.isInteger(n) || n < 1 || n > Math.min(count, MAX_PARTS)) return null;
	return n < count ? partSize : size - partSize * (count - 1);
}

/** Part numbers of 1..count missing from `have`. */
export function missingParts(partCount: number, have: readonly number[]): number[] {
	const present = new Set(have);
	const missing: number[] = [];
	for (let n = 1; n <= partCount; n++) if (!present.has(n)) missing.push(n);
	return missing;
}

/**
 * A file name made safe for display and Content-Disposition: no path, no
 * control, bidi or invisible characters (`cleanText`), no `"`, no leading
 * dots, bounded length; "file" when nothing visible is left. Never used in a
 * key. Idempotent.
 */
export function sanitizeFileName(name: string): string {
	const base = name.split(/[\\/]/).pop() ?? "";
	const cleaned = cleanText(base.replace(/"/g, "")).replace(/^[.\s]+/, "");
	const bounded = [...cleaned].slice(0, 200).join("").trim();
	return hasVisible(bounded) ? bounded : "file";
}

/** The lower-case extension of a (sanitized) name, without the dot; "" when none. */
export function extensionOf(name: string): string {
	const i = name.lastIndexOf(".");
	return i > 0 ? name.slice(i + 1).toLowerCase() : "";
}

function mimeMatches(pattern: string, type: string): boolean {
	const t = type.toLowerCase().split(";")[0]?.trim() ?? "";
	if (pattern.endsWith("/*")) return t.startsWith(pattern.slice(0, -1));
	return t === pattern;
}

/**
 * May this file come through this link? Checks per-file size and the
 * extension and MIME allow-lists. The extension is the last one, so
 * `photo.jpg.php` is a `php` file.
 */
export function checkFile(
	settings: LinkSettings,
	file: { name: string; size: number; type: string },
): Problem | undefined {
	if (file.size > settings.maxFileBytes) {
		return problem("file-too-large", `Files are limited to ${settings.maxFileBytes} bytes.`);
	}
	const ext = extensionOf(file.name);
	if (settings.allowedExtensions.length > 0 && !settings.allowedExtensions.includes(ext)) {
		return problem(
			"file-type-not-allowed",
			`Allowed extensions: ${settings.allowedExtensions.join(", ")}; got "${ext || "none"}".`,
		);
	}
	if (
		settings.allowedMimeTypes.length > 0 &&
		!settings.allowedMimeTypes.some((p) => mimeMatches(p, file.type))
	) {
		return problem(
			"file-type-not-allowed",
			`Allowed types: ${settings.allowedMimeTypes.join(", ")}.`,
		);
	}
	return undefined;
}

export interface QuotaState {
	filesCount: number;
	bytesTotal: number;
	reservedFiles: number;
	reservedBytes: number;
}

/**
 * What is left of a link's quotas for new uploads: finalized files and bytes
 * plus reservations count as used (null: no limit).
 */
export function remainingQuota(
	settings: Pick<LinkSettings, "maxFiles" | "maxTotalBytes">,
	q: QuotaState,
): { files: number | null; bytes: number | null } {
	return {
		files:
			settings.maxFiles === null
				? null
				: Math.max(0, settings.maxFiles - q.filesCount - q.reservedFiles),
		bytes:
			settings.maxTotalBytes === null
				? null
				: Math.max(0, settings.maxTotalBytes - q.bytesTotal - q.reservedBytes),
	};
}

/** Quotas count finalized files plus reservations, so parallel inits cannot overshoot. */
export function checkQuota(
	settings: LinkSettings,
	q: QuotaState,
	size: number,
): Problem | undefined {
	const left = remainingQuota(settings, q);
	if (left.files !== null && left.files < 1) {
		return problem("quota-exceeded", `This link accepts at most ${settings.maxFiles} files.`);
	}
	if (left.bytes !== null && size > left.bytes) {
		return problem(
			"quota-exceeded",
			`This link accepts at most ${settings.maxTotalBytes} bytes in all.`,
		);
	}
	return undefined;
}

/**
 * The uploader details a link requires and an init lacks: a
 * `uploader-details-required` problem naming them, or undefined.
 */
export function checkUploaderDetails(
	settings: Pick<LinkSettings, "requireUploaderName" | "requireUploaderEmail">,
	given: { uploaderName: string | null; uploaderEmail: string | null },
): Problem | undefined {
	const missing =
		(settings.requireUploaderName && !given.uploaderName) ||
		(settings.requireUploaderEmail && !given.uploaderEmail);
	if (!missing) return undefined;
	const all = [
		settings.requireUploaderName && "uploaderName",
		settings.requireUploaderEmail && "uploaderEmail",
	].filter(Boolean);
	return problem("uploader-details-required", `This link requires: ${all.join(", ")}.`);
}

/**
 * Bytes the service holds durably for an upload: all of them once it is
 * completed; for tus, the recorded offset (parts plus remainder); otherwise
 * the recorded parts.
 */
export function durableOffset(
	u: { state: UploadState; size: number; protocol: UploadProtocol; tusOffset: number },
	parts: readonly { size: number }[],
): number {
	if (u.state === "completed" || u.state === "finalized") return u.size;
	if (u.protocol === "tus") return u.tusOffset;
	return parts.reduce((n, p) => n + p.size, 0);
}

/** How many parts an upload has (1 for a single upload). */
export function partCountOf(upload: { size: number; partSize: number | null }): number {
	return upload.partSize ? Math.ceil(upload.size / upload.partSize) : 1;
}

/**
 * What the sessions alarm does to a session past its expiry that nobody asked
 * to finalize: an open one is aborted; a completed one is handed over (a
 * system finalize) under `recover` and rejected under `reject`, so no
 * completed upload holds its quota forever.
 */
export function expiredSession(
	state: "open" | "completed",
	policy: LateFinalizePolicy,
): "abort" | "finalize" | "reject" {
	if (state === "open") return "abort";
	return policy === "recover" ? "finalize" : "reject";
}

/** What a terminal transition does to an upload session. */
export type Settlement = "abort" | "finalize" | "reject" | "keep";

/**
 * Open uploads are aborted. Completed uploads (finalization-pending) are
 * finalized under `recover` and rejected under `reject`; delete always rejects.
 * Finalized files stay (delete purges their bytes separately).
 */
export function settle(
	kind: "revoke" | "expire" | "delete",
	policy: LateFinalizePolicy,
	state: UploadState,
): Settlement {
	if (state === "open") return "abort";
	if (state === "completed")
		return kind === "delete" || policy === "reject" ? "reject" : "finalize";
	return "keep";
}

/**
 * The decision of a finalize command when it applies, given the link's state.
 * A terminal link finalizes only a finalization-pending upload under `recover`.
 */
export function finalizeOutcome(
	link: { state: LinkState; terminalEpoch: number | null; lateFinalize: LateFinalizePolicy },
	upload: { state: UploadState; completedEpoch: number | null },
): { kind: "finalize" } | { kind: "done" } | { kind: "reject"; code: Problem["code"] } {
	// A deleted link's files are gone: a finalize decided after the delete is refused, always.
	if (link.state === "deleted") return { kind: "reject", code: "link-deleted" };
	if (upload.state === "finalized") return { kind: "done" };
	if (upload.state === "open") {
		// Not complete yet; on a terminal link it never will be (its cleanup may not have run yet).
		return {
			kind: "reject",
			code: isTerminal(link.state) ? TERMINAL_CODE[link.state] : "upload-incomplete",
		};
	}
	if (upload.state !== "completed") {
		return {
			kind: "reject",
			code: isTerminal(link.state) ? TERMINAL_CODE[link.state] : "upload-aborted",
		};
	}
	if (!isTerminal(link.state)) return { kind: "finalize" };
	const pending =
		upload.completedEpoch !== null &&
		link.terminalEpoch !== null &&
		upload.completedEpoch < link.terminalEpoch;
	return pending && link.lateFinalize === "recover"
		? { kind: "finalize" }
		: { kind: "reject", code: TERMINAL_CODE[link.state] };
}

/**
 * What an abort (by the uploader or the link's owner) does to a session: a
 * session that already ended stays ended (`noop`, 204 again); a finalized
 * file is the owner's (409); a session a finalize is verifying or indexing
 * right now is not pulled from under it (409): the finalize would otherwise
 * index a file whose bytes the abort deletes, and report it finalized.
 */
export function decideAbort(
	state: UploadState,
	finalizing: boolean,
): { kind: "noop" } | { kind: "drop" } | { kind: "refuse"; problem: Problem } {
	if (state === "aborted" || state === "rejected") return { kind: "noop" };
	if (state === "finalized")
		return {
			kind: "refuse",
			problem: problem("upload-state-conflict", "A finalized file belongs to the owner now."),
		};
	if (finalizing)
		return {
			kind: "refuse",
			problem: problem(
				"upload-state-conflict",
				"This upload is being finalized; it ends finalized (the owner's file) or rejected.",
			),
		};
	return { kind: "drop" };
}
