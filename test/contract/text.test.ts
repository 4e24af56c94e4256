import { describe, expect, it } from "vitest";
import { contentDisposition } from "../../src/api/http/downloads";
import { cleanText, hasVisible, visibleText } from "../../src/contract/text";
import { sanitizeFileName } from "../../src/domain/uploads";

const cp = (code: number) => String.fromCodePoint(code);
const range = (from: number, to: number) => {
	const out: number[] = [];
	for (let c = from; c <= to; c++) out.push(c);
	return out;
};

/** Every character the brief names as never allowed through. */
const C0 = range(0x00, 0x1f);
const C1_DEL = range(0x7f, 0x9f);
const BIDI = [0x061c, 0x200e, 0x200f, ...range(0x202a, 0x202e), ...range(0x2066, 0x2069)];
const INVISIBLE = [
	...range(0x200b, 0x200d),
	...range(0x2060, 0x2064),
	0xfeff,
	0x00ad,
	0x180e,
	0x034f,
	0xe0001,
	...range(0xe0020, 0xe007f),
];

describe("cleanText", () => {
	it("removes every C0 and C1 control and DEL from the middle of a line", () => {
		for (const c of [...C0, ...C1_DEL]) {
			expect(cleanText(`a${cp(c)}b`), `U+${c.toString(16)}`).toBe("ab");
		}
	});

	it("removes line breaks (CRLF, CR, LF, VT, FF, NEL, LS, PS) and tabs from one-line text", () => {
		for (const br of ["\r\n", "\r", "\n", "\v", "\f", "\u0085", "\u2028", "\u2029", "\t"])
			expect(cleanText(`Ada${br}Lovelace`)).toBe("AdaLovelace");
		expect(cleanText("Ada \r\nLovelace")).toBe("Ada Lovelace");
	});

	it("removes bidi marks, embeddings, overrides and isolates", () => {
		for (const c of BIDI) expect(cleanText(`a${cp(c)}b`), `U+${c.toString(16)}`).toBe("ab");
		expect(cleanText("invoice\u202egpj.exe")).toBe("invoicegpj.exe");
	});

	it("removes zero-width, BOM, soft hyphen, tag and other invisible format characters", () => {
		for (const c of INVISIBLE) expect(cleanText(`a${cp(c)}b`), `U+${c.toString(16)}`).toBe("ab");
		expect(cleanText("hi\u{e0068}\u{e0069}")).toBe("hi");
	});

	it("removes lone surrogates but keeps astral characters", () => {
		expect(cleanText("a\ud800b\udc00c")).toBe("abc");
		expect(cleanText("🙂 𝔘")).toBe("🙂 𝔘");
	});

	it("maps odd spaces to a plain space and trims", () => {
		expect(cleanText("\u00a0Jean\u00a0Dupont\u3000")).toBe("Jean Dupont");
		expect(cleanText("  a  b  ")).toBe("a  b");
		expect(cleanText("\u2000a\u202fb\u205f")).toBe("a b");
		expect(cleanText("\u200b a \u200b")).toBe("a");
	});

	it("normalizes to NFC, also where stripping joined a base and its mark", () => {
		expect(cleanText("e\u0301")).toBe("é");
		expect(cleanText("e\u200b\u0301")).toBe("é");
		expect(cleanText("Å")).toBe("Å");
	});

	it("keeps ordinary text in any script as it is", () => {
		for (const s of [
			"Ada Lovelace",
			"Zoë Ñúñez-O'Brien",
			"李小龙",
			"مرحبا",
			"שלום",
			"Résumé 🙂 ../x",
		])
			expect(cleanText(s)).toBe(s.normalize("NFC"));
	});

	it("keeps line breaks as \\n in multiline mode, never CR or NUL", () => {
		expect(cleanText("a\r\nb\rc\nd\u2028e", { multiline: true })).toBe("a\nb\nc\nd\ne");
		expect(cleanText("\n\nline 1\u0000\n\tline 2 \r\n\r\n", { multiline: true })).toBe(
			"line 1\nline 2",
		);
		expect(cleanText("a\u202e\nb", { multiline: true })).toBe("a\nb");
	});

	it("is idempotent", () => {
		const nasty = [
			"Ada\u202e\r\nLovelace",
			"\u0000",
			"a\u0301\u200d\u0302 \t\u00a0x",
			"\u{e0041}\ud800 e\u200b\u0301\r",
			"x\u2028y\u0085z",
		];
		for (const s of nasty) {
			for (const multiline of [false, true]) {
				const once = cleanText(s, { multiline });
				expect(cleanText(once, { multiline })).toBe(once);
			}
		}
	});
});

describe("hasVisible and visibleText", () => {
	it("finds letters, digits, punctuation and symbols", () => {
		for (const s of ["a", "1", ".", "🙂", "李", "-"]) expect(hasVisible(s), s).toBe(true);
	});

	it("finds nothing visible in whitespace, marks alone or blank glyphs", () => {
		for (const s of ["", " ", "\u0301", "\u3164", "\u115f\u1160", "\uffa0", "\u2800", "\n"])
			expect(hasVisible(s), JSON.stringify(s)).toBe(false);
	});

	it("answers null when cleaning leaves nothing visible", () => {
		for (const s of [
			"\u0000",
			"\u200b",
			"\u202e\u202c",
			"\ufeff\u200d",
			"\r\n\t",
			"\u3164",
			"\u{e0041}\u{e0042}",
			" \u0000 \u200b ",
		]) {
			expect(visibleText(s), JSON.stringify(s)).toBeNull();
			expect(visibleText(s, { multiline: true }), JSON.stringify(s)).toBeNull();
		}
	});

	it("answers the cleaned text when something visible remains", () => {
		expect(visibleText("Ada\u202e\r\nLovelace")).toBe("AdaLovelace");
		expect(visibleText("Ada\u202e \r\nLovelace")).toBe("Ada Lovelace");
		expect(visibleText("\u0000x\u0000")).toBe("x");
		expect(visibleText("line\r\nnext", { multiline: true })).toBe("line\nnext");
	});
});

describe("sanitizeFileName uses the same cleaning", () => {
	it("removes U+061C, U+200B and every other stripped character from names", () => {
		expect(sanitizeFileName("a\u061cb.txt")).toBe("ab.txt");
		expect(sanitizeFileName("a\u200bb.txt")).toBe("ab.txt");
		for (const c of [...C0, ...C1_DEL, ...BIDI, ...INVISIBLE]) {
			expect(sanitizeFileName(`x${cp(c)}y.txt`)).not.toContain(cp(c));
		}
		expect(sanitizeFileName("report\r\n.pdf")).toBe("report.pdf");
	});

	it("falls back to 'file' when nothing visible is left", () => {
		for (const name of ["\u200b", "\u0000", "\u202e\u3164", "../\u200b", ". ."])
			expect(sanitizeFileName(name), JSON.stringify(name)).toBe("file");
	});

	it("is idempotent and gives clean Content-Disposition", () => {
		for (const name of ["a\u0000b\u202ec.txt", "  .hidden\u200b.txt ", "e\u0301.pdf"]) {
			const once = sanitizeFileName(name);
			expect(sanitizeFileName(once)).toBe(once);
		}
		expect(contentDisposition("e\u0301\u200b.pdf")).toBe(
			`attachment; filename="_.pdf"; filename*=UTF-8''%C3%A9.pdf`,
		);
	});
});
