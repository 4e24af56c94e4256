import { describe, expect, it } from "vitest";
import {
	checkDownloadDestination,
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
