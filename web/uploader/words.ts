// What the uploader page says: sizes, limits, the quota left, and every
// refusal in words for the person sending files (never a bare code).
import type { Limits, PublicLinkInfo } from "./api.ts";

/**
 * Sizes as Uppy's own messages print them (1024-based, "20 MB" for 20 MiB),
 * so the page's sentences and the dashboard agree.
 */
export function size(n: number): string {
	if (n < 1024) return n === 1 ? "1 byte" : `${n} bytes`;
	const units = ["KB", "MB", "GB", "TB"];
	let v = n / 1024;
	let i = 0;
	while (v >= 1024 && i < units.length - 1) {
		v /= 1024;
		i++;
	}
	const shown = v < 10 ? Math.round(v * 10) / 10 : Math.round(v);
	return `${shown} ${units[i]}`;
}

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

/** What is left of the link's quota: "You can send 3 more files, up to 12 MB in total." */
export function quotaSentence(limits: Limits): string {
	const files = limits.remainingFiles;
	const bytes = limits.remainingBytes;
	if (files === 0 || bytes === 0) return "This link is full: it takes no more files.";
	if (files !== null && bytes !== null)
		return `You can send ${plural(files, "more file", "more files")}, up to ${size(bytes)} in total.`;
	if (files !== null) return `You can send ${plural(files, "more file", "more files")}.`;
	if (bytes !== null) return `You can send up to ${size(bytes)} more in total.`;
	return "There is no limit on how many files you send.";
}

/** The limits as short lines for the "What you can send" list. */
export function limitLines(link: PublicLinkInfo): string[] {
	const lines = [`Each file up to ${size(link.limits.maxFileBytes)}.`];
	const types = typesSentence(link.limits);
	if (types) lines.push(types);
	const { maxFiles, maxTotalBytes } = link.limits;
	const files = maxFiles !== null ? `${plural(maxFiles, "file", "files")} in all` : null;
	const bytes = maxTotalBytes !== null ? `${size(maxTotalBytes)} in total` : null;
	if (files || bytes) lines.push(`At most ${[files, bytes].filter(Boolean).join(", ")}.`);
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

export const DOES_NOT_WORK =
	"Check that you copied the whole link, including everything after the # sign, or ask the person who sent it to you for a new one.";

export const WAITING: Record<"paused" | "closing", string> = {
	paused: "The owner paused this link. Your uploads will continue when it reopens.",
	closing:
		"The owner is changing this link. Your uploads are on hold and will continue if it stays open.",
};

/** The closed page's heading and text, per terminal state. */
export function closedWords(
	code: string,
	expiresAt?: string | null,
): { title: string; text: string } {
	if (code === "link-deleted" || code === "deleted")
		return {
			title: "This link is closed",
			text: "The owner deleted this link, and with it the files sent through it. It takes no more files.",
		};
	if (code === "link-expired" || code === "expired")
		return {
			title: "This link is closed",
			text: `This link expired${expiresAt ? ` on ${when(expiresAt)}` : ""}. It takes no more files; files you sent before are safe with the owner.`,
		};
	return {
		title: "This link is closed",
		text: "The owner revoked this link. It takes no more files; files you sent before are safe with the owner.",
	};
}

/** Refusals of one file (at creation or while sending), from the uploader's side. */
export function fileProblemWords(
	code: string | undefined,
	status: number,
	link: PublicLinkInfo,
): string {
	switch (code) {
		case "file-too-large":
			return `This file is larger than the link takes (up to ${size(link.limits.maxFileBytes)} each).`;
		case "file-type-not-allowed":
			return `This link does not take this kind of file. ${typesSentence(link.limits) ?? ""}`.trim();
		case "quota-exceeded":
			return "The link has no room left for this file.";
		case "password-required":
			return "This link needs the password.";
		case "password-incorrect":
			return "The password is not right.";
		case "too-many-attempts":
			return "Too many wrong passwords were tried: wait, then try again.";
		case "uploader-details-required":
			return "This link needs your details before it takes files.";
		case "validation-failed":
			return "The file's name or your details were not accepted. Check your e-mail address and try again.";
		case "upload-aborted":
			return "This upload was stopped (the owner cancelled it, or it waited too long). Add the file again to send it.";
		case "upload-not-found":
			return "The link no longer knows this upload. Add the file again to send it.";
		case "link-revoked":
		case "link-expired":
		case "link-deleted":
			return "The link closed before this file arrived.";
		case "storage-unavailable":
		case "internal-error":
			return "The service had a problem. Press retry to try again.";
	}
	if (status === 0) return "The connection was lost. Press retry to try again.";
	if (status >= 500) return "The service had a problem. Press retry to try again.";
	return "The file was not accepted. Press retry to try again.";
}

/** Why a finalize command did not deliver the file (its `result` code). */
export function finalizeWords(result: string | null): string {
	switch (result) {
		case "checksum-mismatch":
			return "The file arrived damaged (its checksum did not match). Send it again.";
		case "length-mismatch":
			return "The file arrived with the wrong size. Send it again.";
		case "file-not-found":
			return "The file's bytes were lost before it could be checked. Send it again.";
		case "file-type-not-allowed":
			return "This link does not take this kind of file.";
		case "file-too-large":
			return "This file is larger than the link takes.";
		case "quota-exceeded":
			return "The link had no room left for this file.";
		case "upload-aborted":
			return "The upload was cancelled before it was checked.";
		case "link-revoked":
		case "link-expired":
			return "The link closed before this file was checked.";
		case "link-deleted":
			return "The owner deleted the link.";
		default:
			return "The file could not be delivered. Send it again.";
	}
}
