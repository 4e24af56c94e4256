import { describe, expect, it } from "vitest";
import { contentDisposition, parseRange } from "../../src/api/http/downloads";

describe("download headers", () => {
	it("writes attachments with an ASCII fallback and the exact name", () => {
		expect(contentDisposition('rés"umé.pdf')).toBe(
			`attachment; filename="r_sum_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`,
		);
	});

	it("parses single byte ranges and ignores the rest", () => {
		expect(parseRange("bytes=0-4", 10)).toEqual({ kind: "partial", offset: 0, length: 5 });
		expect(parseRange("bytes=-3", 10)).toEqual({ kind: "partial", offset: 7, length: 3 });
		expect(parseRange("bytes=5-", 10)).toEqual({ kind: "partial", offset: 5, length: 5 });
		expect(parseRange("bytes=10-", 10)).toEqual({ kind: "unsatisfiable" });
		expect(parseRange("bytes=0-1,3-4", 10)).toEqual({ kind: "full" });
		expect(parseRange("items=1-2", 10)).toEqual({ kind: "full" });
	});
});
