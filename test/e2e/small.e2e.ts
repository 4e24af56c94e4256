/**
 * One-request small uploads through the real Worker under `wrangler dev`:
 * `UploaderClient.upload` (src/client, Node's fetch) sends a small file as
 * one `POST /r/<linkId>/files` and waits for its finalize; the owner's
 * download matches the source bytes, and the audit is clean.
 */
import { describe, expect, test } from "vitest";
import { UploaderClient } from "../../src/client/index.ts";
import { bytes, expectCleanAudit, MiB, newLink, owner, service, sha256 } from "./helpers.ts";

describe("one-request small uploads under wrangler dev", () => {
	test("UploaderClient.upload sends a 1 MiB file in one request; the owner downloads the same bytes", async () => {
		const link = await newLink();
		const { base } = service();
		const requests: string[] = [];
		const client = new UploaderClient(`${link.origin}/r/${link.id}#${link.secret}`, {
			baseUrl: base,
			pollMs: 100,
			fetch: (input, init) => {
				requests.push(`${init?.method ?? "GET"} ${new URL(input).pathname}`);
				return fetch(input, init);
			},
		});
		const data = bytes(MiB);
		const result = await client.upload(data, { name: "small.bin", uploaderName: "E2E" });
		expect(result.command.status, String(result.command.result)).toBe("succeeded");
		expect(result.upload.state).toBe("finalized");
		expect(requests.filter((r) => r.startsWith("POST"))).toEqual([`POST /r/${link.id}/files`]);
		const o = await owner();
		const files = await o.listFiles(link.id);
		expect(files.items.map((f) => ({ name: f.name, size: f.size }))).toEqual([
			{ name: "small.bin", size: MiB },
		]);
		const res = await o.download(files.items[0]?.downloadUrl ?? "");
		expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(sha256(data));
		await expectCleanAudit(link);
	});
});
