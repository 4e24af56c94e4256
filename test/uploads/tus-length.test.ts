/**
 * A tus PATCH that carries more bytes than Upload-Length allows is refused as
 * a whole (400 `length-mismatch`) and leaves nothing recorded: the part that
 * would reach the end is held back until the body is known to end there, and
 * the offset goes back to where the PATCH began, so neither a HEAD nor a
 * resumed client can complete a file the uploader was told had failed.
 */
import { describe, expect, it } from "vitest";
import { ADMIN, bytesOf, call, expectProblem } from "../helpers";
import { streamOf } from "./hostile-shared";
import { create, expectDelivered, MiB, patch, tusLink } from "./tus-kit";

/** The upload's HEAD: its offset, and whether it names a finalize command. */
async function head(url: string, headers: Record<string, string>) {
	const res = await call(new URL(url).pathname, { method: "HEAD", headers });
	expect(res.status).toBe(200);
	return {
		offset: Number(res.headers.get("upload-offset")),
		finalize: res.headers.get("receive-link-command"),
	};
}

async function fileCount(linkId: string): Promise<number> {
	const res = await call(`/api/links/${linkId}/files`, { headers: ADMIN });
	return ((await res.json()) as { items: unknown[] }).items.length;
}

/** `size` bytes of `data` in chunks of `chunk` bytes, streamed without a Content-Length. */
function chunked(data: Uint8Array, chunk: number): ReadableStream<Uint8Array> {
	const pieces: Uint8Array[] = [];
	for (let at = 0; at < data.byteLength; at += chunk) pieces.push(data.subarray(at, at + chunk));
	return streamOf(...pieces);
}

describe("a tus PATCH longer than Upload-Length", () => {
	it("one byte too many (chunked) is 400 and records nothing; HEAD does not complete it", async () => {
		const { linkId, headers, base } = await tusLink();
		const url = (await create(base, headers, MiB)).headers.get("location") ?? "";
		const data = bytesOf(MiB + 1, 3);
		const res = await patch(url, headers, 0, streamOf(data.subarray(0, MiB), data.subarray(MiB)));
		await expectProblem(res, 400, "length-mismatch");
		expect(await head(url, headers)).toEqual({ offset: 0, finalize: null });
		expect(await fileCount(linkId)).toBe(0);
		// The uploader sends the right bytes: the file arrives, whole.
		const good = data.subarray(0, MiB);
		const ok = await patch(url, headers, 0, good);
		expect(ok.status).toBe(204);
		await expectDelivered(ok, linkId, good);
	});

	it("16 MiB sent on a 9 MiB upload is 400; the full part it wrote does not count either", async () => {
		const { linkId, headers, base } = await tusLink();
		const url = (await create(base, headers, 9 * MiB)).headers.get("location") ?? "";
		const data = bytesOf(16 * MiB, 5);
		await expectProblem(await patch(url, headers, 0, chunked(data, MiB)), 400, "length-mismatch");
		expect(await head(url, headers)).toEqual({ offset: 0, finalize: null });
		expect(await fileCount(linkId)).toBe(0);
		const good = bytesOf(9 * MiB, 6);
		const ok = await patch(url, headers, 0, chunked(good, 2 * MiB));
		expect(ok.status).toBe(204);
		await expectDelivered(ok, linkId, good);
	});

	it("a PATCH after a remainder that overruns keeps the remainder's offset", async () => {
		const { linkId, headers, base } = await tusLink();
		const url = (await create(base, headers, 10)).headers.get("location") ?? "";
		const data = bytesOf(10, 9);
		expect((await patch(url, headers, 0, data.subarray(0, 4))).status).toBe(204);
		const over = streamOf(data.subarray(4), bytesOf(3));
		await expectProblem(await patch(url, headers, 4, over), 400, "length-mismatch");
		expect(await head(url, headers)).toEqual({ offset: 4, finalize: null });
		const ok = await patch(url, headers, 4, data.subarray(4));
		expect(ok.status).toBe(204);
		await expectDelivered(ok, linkId, data);
	});

	it("a Content-Length past the end is refused before anything is written", async () => {
		const { linkId, headers, base } = await tusLink();
		const url = (await create(base, headers, 9 * MiB)).headers.get("location") ?? "";
		const res = await patch(url, headers, 0, bytesOf(9 * MiB + 1));
		await expectProblem(res, 400, "length-mismatch");
		expect(await head(url, headers)).toEqual({ offset: 0, finalize: null });
		expect(await fileCount(linkId)).toBe(0);
	});
});
