/**
 * Cleaning of human text that clients send and owners later read: uploader
 * names and emails, link titles and descriptions, file names. Pure.
 *
 * Such text is shown in dashboards, lists, e-mails and `Content-Disposition`,
 * so it must not carry what could spoof or hide content there: control
 * characters (a NUL, a CR/LF that splits a line or a header), bidi controls
 * (U+202E turns `gpj.exe` into `exe.jpg` on screen), zero-width and other
 * invisible format characters (a name that looks empty, or text smuggled in
 * tag characters).
 */

/** CRLF, or any single line break (LF, VT, FF, CR, NEL, LS, PS). */
const LINE_BREAK = /\r\n|[\n\v\f\r\u0085\u2028\u2029]/g;

/** Every space separator other than U+0020 (NBSP, en space, ideographic space…). */
const ODD_SPACE = /\p{Zs}/gu;

/**
 * Removed everywhere (except `\n` where line breaks are kept): C0 and C1
 * controls and DEL (`Cc`); format characters (`Cf`), which include the bidi
 * marks, embeddings, overrides and isolates (U+061C, U+200E, U+200F,
 * U+202A–U+202E, U+2066–U+2069), the zero-width space, joiners and word
 * joiner (U+200B–U+200D, U+2060–U+2064), the BOM (U+FEFF), the soft hyphen,
 * U+180E and the tag characters (U+E0000–U+E007F); lone surrogates (`Cs`);
 * and the combining grapheme joiner U+034F.
 */
const STRIPPED = /(?!\n)[\p{Cc}\p{Cf}\p{Cs}]|\u034f/gu;

/** Characters that are letters or symbols to Unicode but draw nothing (Hangul fillers, braille blank). */
const BLANK_GLYPHS = /[\u115f\u1160\u3164\uffa0\u2800]/gu;

/** A character that draws something: a letter, digit, punctuation or symbol. */
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;

export interface CleanOptions {
	/**
	 * Keep line breaks, as `\n` (CRLF, CR, VT, FF, NEL, LS and PS become `\n`).
	 * Without it, line breaks are removed like any other control character.
	 */
	multiline?: boolean;
}

/**
 * The text without control (tabs included), bidi and invisible format
 * characters, with odd spaces as plain spaces, in Unicode NFC, trimmed.
 * Idempotent.
 */
export function cleanText(input: string, options: CleanOptions = {}): string {
	return input
		.replace(LINE_BREAK, options.multiline ? "\n" : "")
		.replace(ODD_SPACE, " ")
		.replace(STRIPPED, "")
		.normalize("NFC")
		.trim();
}

/** True when `text` has at least one character that draws something. */
export function hasVisible(text: string): boolean {
	return VISIBLE.test(text.replace(BLANK_GLYPHS, ""));
}

/**
 * The cleaned text, or null when nothing visible remains (so a name of only
 * "\u0000" or zero-width spaces counts as no name at all).
 */
export function visibleText(input: string, options: CleanOptions = {}): string | null {
	const cleaned = cleanText(input, options);
	return hasVisible(cleaned) ? cleaned : null;
}
