/**
 * The "download all" ZIP (`GET /api/links/:linkId/files.zip`): how many
 * files one may hold, and its entry names. Pure.
 *
 * A ZIP entry name is a path to whatever extracts it, on any system: a name
 * must not climb out of the target folder (`../x`, `/etc/x`, `C:\x`), make
 * folders, hide itself (`.x`), or be one Windows refuses or rewrites (`CON`,
 * `a?b`, a trailing dot). Two files of a link may share a name, and Windows
 * and macOS compare names case-insensitively, so the second `Report.pdf`
 * beside `report.pdf` would overwrite the first there: later duplicates get
 * ` (2)`, ` (3)`… before the extension. Names are bounded in UTF-8 bytes
 * because file systems bound them (255 bytes on ext4 and APFS).
 */

import { cleanText, hasVisible } from "../contract/text";
import { type Problem, problem } from "./problems";

/**
 * The most files one ZIP holds. The Worker keeps each entry's name and
 * size, and client-zip its central-directory record, until the end of the
 * archive; this bounds that memory (about 1 KiB an entry) far below the
 * isolate's 128 MB.
 */
export const MAX_ZIP_ENTRIES = 10_000;

/** May a link with `files` finalized files be sent as one ZIP? */
export function checkZipEntries(files: number): Problem | undefined {
	if (files <= MAX_ZIP_ENTRIES) return undefined;
	return problem(
		"zip-too-many-files",
		`A ZIP holds at most ${MAX_ZIP_ENTRIES} files; this link has ${files}.`,
	);
}

/** The most UTF-8 bytes of an entry name, a suffix like ` (12)` included. */
export const MAX_ZIP_NAME_BYTES = 240;

/** The name of an entry whose name has nothing usable left. */
export const FALLBACK_ZIP_NAME = "file";

/** An extension longer than this (in UTF-8 bytes, dot included) is part of the base name. */
const MAX_EXTENSION_BYTES = 24;

/** Path separators, and what Windows refuses in a name (`< > : " | ? *`). */
const UNSAFE = /[\\/<>:"|?*]/g;

/** Windows device names, refused whatever the extension (`CON.txt`), in any case. */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$|clock\$)$/i;

const encoder = new TextEncoder();
const bytes = (s: string) => encoder.encode(s).length;

/** The longest prefix of `s`, in whole code points, of at most `max` UTF-8 bytes. */
function cutToBytes(s: string, max: number): string {
	let out = "";
	let used = 0;
	for (const ch of s) {
		const n = bytes(ch);
		if (used + n > max) break;
		out += ch;
		used += n;
	}
	return out;
}

/** Splits off the last extension (`.pdf`), if it is a short one after a non-empty base. */
function splitExtension(name: string): { base: string; ext: string } {
	const i = name.lastIndexOf(".");
	if (i <= 0 || i === name.length - 1) return { base: name, ext: "" };
	const ext = name.slice(i);
	if (bytes(ext) > MAX_EXTENSION_BYTES || /\s/.test(ext)) return { base: name, ext: "" };
	return { base: name.slice(0, i), ext };
}

/** Leading dots and spaces hide or misname a file; trailing ones Windows drops. */
const trimEnds = (s: string) => s.replace(/^[.\s]+/, "").replace(/[.\s]+$/, "");

/**
 * `base` + `suffix` + `ext` within `MAX_ZIP_NAME_BYTES`: when it is too long
 * the base is shortened (and loses trailing dots and spaces), keeping at
 * least one character when it can; the extension only when the base alone
 * cannot make room.
 */
function fitName(base: string, suffix: string, ext: string): string {
	const whole = `${base}${suffix}${ext}`;
	if (bytes(whole) <= MAX_ZIP_NAME_BYTES) return whole;
	const room = MAX_ZIP_NAME_BYTES - bytes(suffix) - bytes(ext);
	const cutBase = cutToBytes(base, Math.max(room, 0)).replace(/[.\s]+$/, "");
	const head = cutBase || cutToBytes(FALLBACK_ZIP_NAME, Math.max(room, 1));
	return cutToBytes(`${head}${suffix}${ext}`, MAX_ZIP_NAME_BYTES);
}

/**
 * One name made safe as a ZIP entry: cleaned like all stored text (no
 * control, bidi or invisible characters; NFC), path separators and the
 * characters Windows refuses as `_`, no leading or trailing dots or spaces,
 * a Windows device name prefixed with `_`, at most `MAX_ZIP_NAME_BYTES`
 * bytes, `file` when nothing visible is left. Idempotent.
 */
export function zipEntryName(name: string): string {
	const cleaned = trimEnds(cleanText(name).replace(UNSAFE, "_"));
	if (!hasVisible(cleaned)) return FALLBACK_ZIP_NAME;
	const stem = cleaned.split(".")[0] ?? "";
	const named = WINDOWS_DEVICE.test(stem.trimEnd()) ? `_${cleaned}` : cleaned;
	const { base, ext } = splitExtension(named);
	const fitted = trimEnds(fitName(base, "", ext));
	return hasVisible(fitted) ? fitted : FALLBACK_ZIP_NAME;
}

/**
 * The key two names collide under: the same letters ignoring case (the way
 * Windows and macOS compare names), compatibility forms folded.
 */
export function zipNameKey(name: string): string {
	return name.normalize("NFKC").toUpperCase().toLowerCase();
}

/**
 * Safe and unique entry names for `names`, in order: each is
 * `zipEntryName(name)`, and one whose key an earlier entry already took gets
 * the first free ` (n)` (n = 2, 3, …) before its extension. An entry's
 * name depends only on the names before it, so a longer list keeps the
 * earlier names.
 */
export function zipEntryNames(names: readonly string[]): string[] {
	const taken = new Set<string>();
	return names.map((raw) => {
		const safe = zipEntryName(raw);
		let candidate = safe;
		if (taken.has(zipNameKey(candidate))) {
			const { base, ext } = splitExtension(safe);
			for (let n = 2; taken.has(zipNameKey(candidate)); n++) {
				candidate = fitName(base, ` (${n})`, ext);
			}
		}
		taken.add(zipNameKey(candidate));
		return candidate;
	});
}
