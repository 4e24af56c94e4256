import { describe, expect, it } from "vitest";
import {
	checkDownloadDestination,
	downloadContentType,
	REFUSED_DOWNLOAD_DESTINATIONS,
} from "../../src/domain/downloads";

describe("checkDownloadDestination", () => {
	it("refuses every destination that runs or styles what it loads, in any case", () => {
		for (const dest of REFUSED_DOWNLOAD_DESTINATIONS) {
			for (const sent of [dest, dest.toUpperCase(), ` ${dest} `]) {
				const p = checkDownloadDestination(sent);
				expect(p?.code, sent).toBe("download-destination-refused");
				expect(p?.status, sent).toBe(403);
				expect(p?.detail, sent).toContain(dest);
			}
		}
		expect(REFUSED_DOWNLOAD_DESTINATIONS).toEqual(
			expect.arrayContaining(["script", "style", "worker", "sharedworker", "serviceworker"]),
		);
	});

	it("answers navigations, download links, fetch(), media and requests without the header", () => {
		for (const dest of [undefined, "", "document", "empty", "iframe", "image", "video", "font"])
			expect(checkDownloadDestination(dest), String(dest)).toBeNull();
	});
});

describe("downloadContentType", () => {
	it("answers types a browser runs or renders as a document as application/octet-stream", () => {
		for (const type of [
			"text/html",
			"TEXT/HTML; charset=utf-8",
			"application/xhtml+xml",
			"image/svg+xml",
			"application/rss+xml",
			"text/xml",
			"application/xml",
			"application/xslt+xml",
			"text/css",
			"text/javascript",
			"application/javascript",
			"application/x-javascript",
			"application/ecmascript",
			"text/jscript",
			"application/wasm",
			"",
		])
			expect(downloadContentType(type), type).toBe("application/octet-stream");
	});

	it("keeps every other stored type as it is", () => {
		for (const type of [
			"text/plain",
			"text/plain; charset=utf-8",
			"text/csv",
			"application/json",
			"application/pdf",
			"image/png",
			"video/mp4",
			"application/zip",
		])
			expect(downloadContentType(type), type).toBe(type);
	});
});
