/**
 * Bodies longer than the upload allows, streamed without a Content-Length
 * through `wrangler dev`: every protocol answers 400 `length-mismatch` (never
 * the proxy's 500, which a body cancelled mid-stream used to cause in about
 * half the tries), and the tus upload keeps no byte of the refused PATCH.
 */
import { describe, expect, test } from "vitest";
import { drain, type E2ELink, MiB, newLink, service, TUS, tusCreate, tusHead } from "./helpers.ts";

const TRIES = 4;

/** `size` bytes in 64 KiB chunks, as a stream: Node's fetch sends it chunked. */
function chunked(size: number): ReadableStream<Uint8Array> {
	let sent = 0;
	return new ReadableStream<Uint8Array>({
		pull(controller) {
			if (sent >= size) return controller.close();
			const n = Math.min(64 * 1024, size - sent);
			sent += n;
			controller.enqueue(new Uint8Array(n).fill(7));
		},
	});
}

/** The request with a chunked body; its status and problem code. */
async function send(url: string, method: string, headers: Record<string, string>, size: number) {
	const res = await fetch(url, {
		method,
		headers,
		body: chunked(size),
		duplex: "half",
	} as RequestInit);
	const text = await res.text();
	const code = res.headers.get("content-type")?.includes("json") ? JSON.parse(text).code : text;
	return { status: res.status, code };
}

/** A native upload of `size` bytes on the link: its URL and Upload-Token. */
async function nativeUpload(link: E2ELink, size: number) {
	const res = await fetch(`${service().base}/r/${link.id}/uploads`, {
		method: "POST",
		headers: { "Link-Secret": link.secret, "Content-Type": "application/json" },
		body: JSON.stringify({ name: "over.bin", size }),
	});
	expect(res.status).toBe(201);
	const body = (await res.json()) as { upload: { id: string }; uploadToken: string };
	return {
		url: `${service().base}/r/${link.id}/uploads/${body.upload.id}`,
		headers: { "Link-Secret": link.secret, "Upload-Token": body.uploadToken },
	};
}

describe("a chunked body longer than the upload", () => {
	test("tus: 16 MiB on a 9 MiB upload is 400 every time, and the offset stays 0", async () => {
		const link = await newLink();
		for (let i = 0; i < TRIES; i++) {
			const url = await tusCreate(link, 9 * MiB);
			const headers = {
				...TUS,
				"Link-Secret": link.secret,
				"Upload-Offset": "0",
				"Content-Type": "application/offset+octet-stream",
			};
			expect(await send(url, "PATCH", headers, 16 * MiB)).toEqual({
				status: 400,
				code: "length-mismatch",
			});
			expect((await tusHead(link, url)).offset).toBe(0);
		}
	});

	test("native: a 16 MiB part where 1 MiB is due, and a 16 MiB single PUT of 10 bytes, are 400", async () => {
		const link = await newLink();
		for (let i = 0; i < TRIES; i++) {
			const multipart = await nativeUpload(link, 9 * MiB);
			expect(await send(`${multipart.url}/parts/2`, "PUT", multipart.headers, 16 * MiB)).toEqual({
				status: 400,
				code: "length-mismatch",
			});
			const single = await nativeUpload(link, 10);
			expect(await send(single.url, "PUT", single.headers, 16 * MiB)).toEqual({
				status: 400,
				code: "length-mismatch",
			});
			await drain(await fetch(single.url, { method: "DELETE", headers: single.headers }));
		}
	});
});
