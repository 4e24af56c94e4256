// The uploader page's sentences, put together from its words (words.ts), the
// link's limits and sizes in the shared vocabulary's units
// (src/client/vocabulary.ts: binary, `20 MiB`).
import { formatBytes } from "../../src/client/vocabulary.ts";
import type { Limits, PublicLinkInfo } from "./api.ts";
import {
	CLOSED_TEXT,
	CLOSED_TITLE,
	FILE_FAILED,
	FILE_PROBLEMS,
	FINALIZE_FAILED,
	FINALIZE_PROBLEMS,
} from "./words.ts";

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "a, b and c" */
export function list(items: string[], last = "and"): string {
	if (items.length <= 1) return items.join("");
	return `${items.slice(0, -1).join(", ")} ${last} ${items.at(-1)}`;
}

const mimeWords = (m: string) => (m.endsWith("/*") ? `any ${m.slice(0, -2)} type` : m);

/** The kinds of file a link takes, or null when it takes any. */
export function typesSentence(limits: Limits): string | null {
	const ext = limits.allowedExtensions.map((e) => `.${e}`);
	const mime = limits.allowedMimeTypes.map(mimeWords);
	if (ext.length && mime.length)
		return `Only ${list(ext, "or")} files, of type ${list(mime, "or")}.`;
	if (ext.length) return `Only ${list(ext, "or")} files.`;
	if (mime.length) return `Only files of type ${list(mime, "or")}.`;
	return null;
}

/** What is left of the link's quota: "You can send 3 more files, up to 12 MiB in total." */
export function quotaSentence(limits: Limits): string {
	const files = limits.remainingFiles;
	const room = limits.remainingBytes;
	if (files === 0 || room === 0) return "This link is full: it takes no more files.";
	if (files !== null && room !== null)
		return `You can send ${plural(files, "more file", "more files")}, up to ${formatBytes(room)} in total.`;
	if (files !== null) return `You can send ${plural(files, "more file", "more files")}.`;
	if (room !== null) return `You can send up to ${formatBytes(room)} more in total.`;
	return "There is no limit on how many files you send.";
}

/** The limits as short lines for the "What you can send" list. */
export function limitLines(link: PublicLinkInfo): string[] {
	const lines = [`Each file up to ${formatBytes(link.limits.maxFileBytes)}.`];
	const types = typesSentence(link.limits);
	if (types) lines.push(types);
	const { maxFiles, maxTotalBytes } = link.limits;
	const files = maxFiles !== null ? `${plural(maxFiles, "file", "files")} in all` : null;
	const total = maxTotalBytes !== null ? `${formatBytes(maxTotalBytes)} in total` : null;
	if (files || total) lines.push(`At most ${[files, total].filter(Boolean).join(", ")}.`);
	lines.push(quotaSentence(link.limits));
	if (link.expiresAt) lines.push(`Open until ${when(link.expiresAt)}.`);
	return lines;
}

/** A date and time in the reader's own locale and time zone. */
export function when(iso: string): string {
	const d = new Date(iso);
	if (Number.isNaN(d.getTime())) return iso;
	return d.toLocaleString("en", { dateStyle: "long", timeStyle: "short" });
}

/** The closed page's heading and text, per terminal state (a state or its problem code). */
export function closedWords(
	code: string,
	expiresAt?: string | null,
): { title: string; text: string } {
	if (code === "link-deleted" || code === "deleted")
		return { title: CLOSED_TITLE, text: CLOSED_TEXT.deleted };
	if (code === "link-expired" || code === "expired")
		return {
			title: CLOSED_TITLE,
			text: `This link expired${expiresAt ? ` on ${when(expiresAt)}` : ""}. ${CLOSED_TEXT.expired}`,
		};
	return { title: CLOSED_TITLE, text: CLOSED_TEXT.revoked };
}

/** Refusals of one file (at creation or while sending), from the uploader's side. */
export function fileProblemWords(
	code: string | undefined,
	status: number,
	link: PublicLinkInfo,
): string {
	if (code === "file-too-large")
		return `This file is larger than the link takes (up to ${formatBytes(link.limits.maxFileBytes)} each).`;
	if (code === "file-type-not-allowed")
		return `This link does not take this kind of file. ${typesSentence(link.limits) ?? ""}`.trim();
	if (code && Object.hasOwn(FILE_PROBLEMS, code)) return FILE_PROBLEMS[code] as string;
	if (status === 0) return FILE_FAILED.connection;
	if (status >= 500) return FILE_FAILED.server;
	return FILE_FAILED.other;
}

/** Why a finalize command did not deliver the file (its `result` code). */
export function finalizeWords(result: string | null): string {
	return result && Object.hasOwn(FINALIZE_PROBLEMS, result)
		? (FINALIZE_PROBLEMS[result] as string)
		: FINALIZE_FAILED;
}
