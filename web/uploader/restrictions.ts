// The link's limits as Uppy restrictions, and the reason a file is refused
// before any byte is sent, in words. The server applies the same rules at
// creation (415 file-type-not-allowed, 413 file-too-large, 409
// quota-exceeded); checking here first saves the person a failed upload.

import { formatBytes } from "../../src/client/vocabulary.ts";
import type { Limits } from "./api.ts";
import { list } from "./sentences.ts";

export interface UppyRestrictions {
	maxFileSize: number | null;
	maxTotalFileSize: number | null;
	maxNumberOfFiles: number | null;
	allowedFileTypes: string[] | null;
}

/**
 * Uppy treats an allow-list entry as "any of these"; the server wants the
 * extension in its list AND the type in its list. So Uppy gets the
 * extensions (they also set the file chooser's `accept`), or the types when
 * the link lists only types; `typeRefusal` checks the rest.
 * `pending` adds back unfinished uploads of an earlier visit (already
 * reserved against the quota) so that they can be added again to resume.
 */
export function restrictionsOf(
	limits: Limits,
	pending: { count: number; bytes: number },
): UppyRestrictions {
	const ext = limits.allowedExtensions.map((e) => `.${e}`);
	return {
		maxFileSize: limits.maxFileBytes,
		maxTotalFileSize: limits.remainingBytes === null ? null : limits.remainingBytes + pending.bytes,
		maxNumberOfFiles: limits.remainingFiles === null ? null : limits.remainingFiles + pending.count,
		allowedFileTypes: ext.length
			? ext
			: limits.allowedMimeTypes.length
				? limits.allowedMimeTypes
				: null,
	};
}

/** The last extension of a name, lower-case, without the dot ("" when none). */
export function extensionOf(name: string): string {
	const base = name.split(/[\\/]/).pop() ?? "";
	const dot = base.lastIndexOf(".");
	return dot > 0 ? base.slice(dot + 1).toLowerCase() : "";
}

export function mimeAllowed(type: string, allowed: string[]): boolean {
	if (!allowed.length) return true;
	const t = (type || "application/octet-stream").toLowerCase();
	return allowed.some((a) => {
		const entry = a.toLowerCase();
		return entry.endsWith("/*") ? t.startsWith(entry.slice(0, -1)) : t === entry;
	});
}

/** Why a file's kind is refused, or null. */
export function typeRefusal(file: { name: string; type: string }, limits: Limits): string | null {
	if (limits.allowedExtensions.length && !limits.allowedExtensions.includes(extensionOf(file.name)))
		return `this link takes only ${list(
			limits.allowedExtensions.map((e) => `.${e}`),
			"and",
		)} files.`;
	if (!mimeAllowed(file.type, limits.allowedMimeTypes))
		return `this link takes only files of type ${list(limits.allowedMimeTypes, "or")}, and this one is ${file.type || "of an unknown type"}.`;
	return null;
}

/** Why one file is refused on its own (kind, then size), or null. */
export function fileRefusal(
	file: { name: string; type: string; size: number | null },
	limits: Limits,
): string | null {
	const type = typeRefusal(file, limits);
	if (type) return type;
	if (file.size !== null && file.size > limits.maxFileBytes)
		return `it is ${formatBytes(file.size)}, and this link takes files up to ${formatBytes(limits.maxFileBytes)} each.`;
	return null;
}

/** Why adding files would pass the link's quota (what Uppy's aggregate check refused). */
export function quotaRefusal(r: UppyRestrictions, count: number, total: number): string {
	if (r.maxNumberOfFiles !== null && count > r.maxNumberOfFiles)
		return `this link takes only ${r.maxNumberOfFiles} more ${r.maxNumberOfFiles === 1 ? "file" : "files"}.`;
	if (r.maxTotalFileSize !== null && total > r.maxTotalFileSize)
		return `together your files would pass what the link has room for (${formatBytes(r.maxTotalFileSize)} in total).`;
	return "the link has no room left for it.";
}
