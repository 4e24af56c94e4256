import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
	FALLBACK_ZIP_NAME,
	MAX_ZIP_NAME_BYTES,
	zipEntryName,
	zipEntryNames,
	zipNameKey,
} from "../../src/domain/zip";

const utf8 = (s: string) => new TextEncoder().encode(s).length;

/** What every entry name must be, whatever it came from. */
function expectSafe(name: string) {
	expect(name.length).toBeGreaterThan(0);
	expect(name).not.toMatch(/[\\/<>:"|?*]/);
	// biome-ignore lint/suspicious/noControlCharactersInRegex: the point of the check
	expect(name).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/);
	expect(name).not.toMatch(/^[.\s]|[.\s]$/);
	expect(name).not.toBe("..");
	expect(name.split(".")[0]?.trimEnd()).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)$/i);
	expect(utf8(name)).toBeLessThanOrEqual(MAX_ZIP_NAME_BYTES);
	expect(name.isWellFormed()).toBe(true);
}

describe("zipEntryName", () => {
	it("keeps an ordinary name as it is", () => {
		expect(zipEntryName("Report 2026.pdf")).toBe("Report 2026.pdf");
		expect(zipEntryName("photo.tar.gz")).toBe("photo.tar.gz");
		expect(zipEntryName("日本語のファイル.txt")).toBe("日本語のファイル.txt");
	});

	it("never leaves a path: separators and traversal become plain characters", () => {
		expect(zipEntryName("../../etc/passwd")).toBe("_.._etc_passwd");
		expect(zipEntryName("..\\..\\windows\\win.ini")).toBe("_.._windows_win.ini");
		expect(zipEntryName("/abs/path.txt")).toBe("_abs_path.txt");
		expect(zipEntryName("C:\\x.txt")).toBe("C__x.txt");
		expect(zipEntryName("..")).toBe(FALLBACK_ZIP_NAME);
		expect(zipEntryName(".")).toBe(FALLBACK_ZIP_NAME);
	});

	it("replaces what Windows refuses and drops leading and trailing dots and spaces", () => {
		expect(zipEntryName('a<b>c:d"e|f?g*h.txt')).toBe("a_b_c_d_e_f_g_h.txt");
		expect(zipEntryName(".bashrc")).toBe("bashrc");
		expect(zipEntryName("  . name.txt. . ")).toBe("name.txt");
	});

	it("prefixes Windows device names, with any extension and in any case", () => {
		expect(zipEntryName("CON")).toBe("_CON");
		expect(zipEntryName("con.txt")).toBe("_con.txt");
		expect(zipEntryName("Lpt1.tar.gz")).toBe("_Lpt1.tar.gz");
		expect(zipEntryName("nul .txt")).toBe("_nul .txt");
		expect(zipEntryName("console.txt")).toBe("console.txt");
	});

	it("removes control, bidi and invisible characters", () => {
		expect(zipEntryName("a\u0000b\r\nc.txt")).toBe("abc.txt");
		expect(zipEntryName("invoice\u202Egpj.exe")).toBe("invoicegpj.exe");
		expect(zipEntryName("\u200b\u200b")).toBe(FALLBACK_ZIP_NAME);
		expect(zipEntryName("")).toBe(FALLBACK_ZIP_NAME);
	});

	it("bounds a name in UTF-8 bytes and keeps its extension", () => {
		const long = zipEntryName(`${"é".repeat(400)}.pdf`);
		expect(utf8(long)).toBeLessThanOrEqual(MAX_ZIP_NAME_BYTES);
		expect(long.endsWith(".pdf")).toBe(true);
		const emoji = zipEntryName("😀".repeat(100));
		expect(utf8(emoji)).toBeLessThanOrEqual(MAX_ZIP_NAME_BYTES);
		expect(emoji.isWellFormed()).toBe(true);
		expect(emoji).toBe("😀".repeat(MAX_ZIP_NAME_BYTES / 4));
	});
});

describe("zipEntryNames", () => {
	it("numbers later duplicates before the extension, ignoring case", () => {
		expect(
			zipEntryNames(["report.pdf", "Report.PDF", "report.pdf", "notes", "NOTES", "a/b.txt"]),
		).toEqual(["report.pdf", "Report (2).PDF", "report (3).pdf", "notes", "NOTES (2)", "a_b.txt"]);
	});

	it("skips a number an earlier name already took", () => {
		expect(zipEntryNames(["a (2).txt", "a.txt", "a.txt"])).toEqual([
			"a (2).txt",
			"a.txt",
			"a (3).txt",
		]);
	});

	it("keeps a numbered name within the byte bound", () => {
		const long = `${"x".repeat(300)}.bin`;
		const [first, second] = zipEntryNames([long, long]);
		expect(second).not.toBe(first);
		expect(second?.endsWith(" (2).bin")).toBe(true);
		expect(utf8(second ?? "")).toBeLessThanOrEqual(MAX_ZIP_NAME_BYTES);
	});

	it("names that differ only by what is removed count as duplicates", () => {
		expect(zipEntryNames(["a.txt", "a\u200b.txt", "../a.txt", "_a.txt"])).toEqual([
			"a.txt",
			"a (2).txt",
			"_a.txt",
			"_a (2).txt",
		]);
	});

	/** Names built from the characters that cause trouble, plus anything at all. */
	const hostileName = fc.oneof(
		fc.string({ unit: "binary", maxLength: 80 }),
		fc.stringMatching(/^[./\\ a-cA-C:?*\u200b\u202e]{0,12}(\.[a-zA-Z]{1,4})?$/),
		fc.constantFrom("CON", "con.txt", "..", ".", "", " ", "report.pdf", "REPORT.pdf", "nul .a"),
		fc.string({ unit: "grapheme", minLength: 200, maxLength: 300 }),
	);

	it("property: every name is safe, names are unique ignoring case, each is its own safe form", () => {
		fc.assert(
			fc.property(fc.array(hostileName, { maxLength: 40 }), (names) => {
				const out = zipEntryNames(names);
				expect(out).toHaveLength(names.length);
				for (const name of out) {
					expectSafe(name);
					expect(zipEntryName(name)).toBe(name);
				}
				expect(new Set(out.map(zipNameKey)).size).toBe(out.length);
			}),
			{ numRuns: 300 },
		);
	});

	it("property: stable (same input, same names; a longer list keeps the earlier names)", () => {
		fc.assert(
			fc.property(
				fc.array(hostileName, { maxLength: 30 }),
				fc.array(hostileName, { maxLength: 10 }),
				(names, more) => {
					const out = zipEntryNames(names);
					expect(zipEntryNames(names)).toEqual(out);
					expect(zipEntryNames([...names, ...more]).slice(0, names.length)).toEqual(out);
				},
			),
			{ numRuns: 200 },
		);
	});

	it("property: names whose safe forms differ are just their safe forms", () => {
		fc.assert(
			fc.property(fc.array(hostileName, { maxLength: 20 }), (names) => {
				const safe = names.map(zipEntryName);
				fc.pre(new Set(safe.map(zipNameKey)).size === safe.length);
				expect(zipEntryNames(names)).toEqual(safe);
			}),
		);
	});
});
