/**
 * The upload hot path: exactly one DO call before and one after each R2
 * write, and nothing else (no D1). Counted by the Server-Timing header.
 */
import { describe, expect, it } from "vitest";
import { bytesOf, callLink, createLink, createOwner, initRaw } from "../helpers";

const MiB = 1024 * 1024;

function doCalls(res: Response): number {
	const m = /do;desc="(\d+) calls"/.exec(res.headers.get("server-timing") ?? "");
	if (!m) throw new Error(`no Server-Timing: ${res.headers.get("server-timing")}`);
	return Number(m[1]);
}

describe("DO round trips per request", () => {
	it("part PUT: 2; single PUT: 2; complete: 2; single init: 1; multipart init: 2", async () => {
		const { apiKey } = await createOwner();
		const { uploadUrl } = await createLink(apiKey);
		const single = await initRaw(uploadUrl, { name: "s.txt", size: 10 });
		expect(doCalls(single)).toBe(1);
		const s = (await single.json()) as { upload: { id: string }; uploadToken: string };
		const put = await callLink(uploadUrl, `/uploads/${s.upload.id}`, {
			method: "PUT",
			headers: { "Upload-Token": s.uploadToken },
			body: bytesOf(10),
		});
		expect(put.status).toBe(200);
		expect(doCalls(put)).toBe(2);

		const multi = await initRaw(uploadUrl, { name: "m.bin", size: 9 * MiB });
		expect(doCalls(multi)).toBe(2);
		const m = (await multi.json()) as { upload: { id: string }; uploadToken: string };
		for (const [n, size] of [
			[1, 8 * MiB],
			[2, MiB],
		] as const) {
			const part = await callLink(uploadUrl, `/uploads/${m.upload.id}/parts/${n}`, {
				method: "PUT",
				headers: { "Upload-Token": m.uploadToken },
				body: bytesOf(size),
			});
			expect(part.status).toBe(200);
			expect(doCalls(part)).toBe(2);
		}
		const complete = await callLink(uploadUrl, `/uploads/${m.upload.id}/complete`, {
			method: "POST",
			headers: { "Upload-Token": m.uploadToken },
		});
		expect(complete.status).toBe(200);
		expect(doCalls(complete)).toBe(2);
	});

	it("a refused part costs one DO call and no R2 write", async () => {
		const { apiKey } = await createOwner();
		const { uploadUrl } = await createLink(apiKey);
		const multi = await initRaw(uploadUrl, { name: "m.bin", size: 9 * MiB });
		const m = (await multi.json()) as { upload: { id: string }; uploadToken: string };
		const bad = await callLink(uploadUrl, `/uploads/${m.upload.id}/parts/3`, {
			method: "PUT",
			headers: { "Upload-Token": m.uploadToken },
			body: bytesOf(10),
		});
		expect(bad.status).toBe(400);
		expect(doCalls(bad)).toBe(1);
	});
});
