/**
 * The uploader client's one-request path: `upload()` sends a file of at most
 * one part size as one request (then polls its finalize), a larger one with
 * the three-request protocol; `uploadSmall` waits out a pause.
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { UploaderClient } from "../../src/client";
import { bearer, bodyOf, bytesOf, call, openLink, sleep, waitForCommand } from "../helpers";

const MiB = 1024 * 1024;

/** A client whose requests are recorded as `METHOD /path-after-link`. */
function recordingClient(uploadUrl: string) {
	const seen: string[] = [];
	const client = new UploaderClient(uploadUrl, {
		fetch: (input, init) => {
			const path = new URL(input).pathname.replace(/^\/r\/[^/]+/, "");
			seen.push(`${init?.method ?? "GET"} ${path}`);
			return exports.default.fetch(input, init);
		},
		pollMs: 25,
		sleep: (ms) => sleep(Math.min(ms, 50)),
	});
	return { client, seen };
}

describe("UploaderClient and one-request uploads", () => {
	it("upload() sends a small file in one request, then polls its finalize", async () => {
		const { apiKey, linkId, uploadUrl } = await openLink();
		const { client, seen } = recordingClient(uploadUrl);
		const result = await client.upload(bytesOf(1000), { name: "one.txt", uploaderName: "Bea" });
		expect(result.command.status).toBe("succeeded");
		expect(result.upload.state).toBe("finalized");
		expect(seen.filter((s) => !s.includes("/api/commands/"))).toEqual([
			"POST /files",
			`GET /uploads/${result.upload.id}`,
		]);
		const files = await bodyOf<{ items: { uploaderName: string }[] }>(
			await call(`/api/links/${linkId}/files`, { headers: bearer(apiKey) }),
		);
		expect(files.items.map((f) => f.uploaderName)).toEqual(["Bea"]);
	});

	it("upload() of a file over one part size uses init, parts, complete and finalize", async () => {
		const { uploadUrl } = await openLink();
		const { client, seen } = recordingClient(uploadUrl);
		const result = await client.upload(bytesOf(8 * MiB + 1), { name: "big.bin" });
		expect(result.command.status).toBe("succeeded");
		expect(seen[0]).toBe("POST /uploads");
		expect(seen).not.toContain("POST /files");
	});

	it("uploadSmall waits out a paused link and succeeds after resume", async () => {
		const { apiKey, linkId, uploadUrl } = await openLink();
		await call(`/api/links/${linkId}/pause`, { method: "POST", headers: bearer(apiKey) });
		const { client, seen } = recordingClient(uploadUrl);
		const pending = client.uploadSmall(bytesOf(10), { name: "wait.txt" }, "client-key-1");
		while (seen.length < 2) await sleep(20);
		await call(`/api/links/${linkId}/resume`, { method: "POST", headers: bearer(apiKey) });
		const accepted = await pending;
		expect((await waitForCommand(accepted.command.id)).result).toBe("finalized");
		// The same key again: the same command, no token.
		const again = await client.uploadSmall(bytesOf(10), { name: "wait.txt" }, "client-key-1");
		expect(again.command.id).toBe(accepted.command.id);
		expect(again.uploadToken).toBeNull();
	});
});
