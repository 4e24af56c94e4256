/**
 * Fault injection: at every drain step the consumer fails and the DO is
 * evicted; R2 fails mid-part; request bodies break. Each asserts that no
 * command, completed upload or byte is lost and nothing is orphaned.
 */
import {
	createExecutionContext,
	createMessageBatch,
	evictDurableObject,
	getQueueResult,
	waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { STEPS } from "../../src/domain/commands";
import worker from "../../src/index";
import {
	bodyOf,
	bytesOf,
	type CommandBody,
	callSession,
	createLink,
	createOwner,
	expectClean,
	expectProblem,
	issue,
	ORIGIN,
	parseUploadUrl,
	readCommand,
	setFaults,
	storedEpoch,
	stubOf,
	uploaderFor,
} from "../helpers";

const MiB = 1024 * 1024;

async function deliver(linkId: string, c: CommandBody) {
	const batch = createMessageBatch("link-commands", [
		{
			id: `m${Math.random()}`,
			timestamp: new Date(),
			attempts: 1,
			body: { v: 1, linkId, commandId: c.id, seq: c.seq },
		},
	]);
	const ctx = createExecutionContext();
	await worker.queue(batch, env, ctx);
	return getQueueResult(batch, ctx);
}

/** A link holding a finalized file, a completed-not-finalized upload and an open one. */
async function busyLink() {
	const { apiKey } = await createOwner();
	const { link, uploadUrl } = await createLink(apiKey);
	const client = uploaderFor(uploadUrl);
	const kept = await client.upload(bytesOf(100, 1), { name: "kept.txt" });
	const completed = (await client.init(50, { name: "late.txt" })).session;
	await callSession(uploadUrl, completed, "", { method: "PUT", body: bytesOf(50, 2) });
	const open = (await client.init(20 * MiB, { name: "open.bin" })).session;
	return {
		apiKey,
		link,
		uploadUrl,
		kept: kept.upload.id,
		completed: completed.uploadId,
		open: open.uploadId,
	};
}

describe("a failure at every drain step, then an eviction", () => {
	for (const kind of ["revoke", "delete"] as const) {
		for (const step of ["(before the transition)", ...STEPS[kind]]) {
			it(`${kind}: failing ${step} then evicting loses nothing and applies once`, async () => {
				const { apiKey, link, kept, completed } = await busyLink();
				await setFaults(link.id, { failSend: 1_000 });
				const { command } = await bodyOf<{ command: CommandBody }>(
					await issue(kind, link.id, apiKey),
				);
				await setFaults(link.id, {
					failSend: 1_000,
					...(step.startsWith("(") ? { failApply: 1 } : { failStep: { [step]: 1 } }),
				});
				const failed = await deliver(link.id, command);
				expect(failed.retryMessages).toHaveLength(1);
				const mid = await readCommand(command.id);
				expect(mid.error).toContain("injected");
				await evictDurableObject(stubOf(link.id));
				const resumed = await deliver(link.id, command);
				expect(resumed.explicitAcks).toHaveLength(1);
				const done = await readCommand(command.id);
				expect(done).toMatchObject({ status: "succeeded", appliedEpoch: 2 });
				expect(done.steps.every((s) => s.done)).toBe(true);
				expect(await storedEpoch(link.id)).toBe(2);
				const keys = (await env.FILES.list({ prefix: `links/${link.id}/` })).objects.map((o) =>
					o.key.split("/").pop(),
				);
				if (kind === "delete") expect(keys).toEqual([]);
				else expect(keys.sort()).toEqual([kept, completed].sort());
				await expectClean(link.id);
			});
		}
	}
});

describe("broken writes", () => {
	it("R2 failing mid-part: 503 storage-unavailable, nothing recorded, the retry succeeds", async () => {
		const { apiKey } = await createOwner();
		const { link, uploadUrl } = await createLink(apiKey);
		const data = bytesOf(9 * MiB, 5);
		const client = uploaderFor(uploadUrl);
		const { session } = await client.init(data.byteLength, { name: "flaky.bin" });
		// A bucket whose uploadPart reads some of the body, then fails like an R2 outage.
		const flaky = {
			...env.FILES,
			resumeMultipartUpload: (key: string, id: string) => ({
				...env.FILES.resumeMultipartUpload(key, id),
				uploadPart: async (_n: number, body: ReadableStream) => {
					const reader = body.getReader();
					await reader.read();
					throw new Error("We encountered an internal error. Please try again.");
				},
			}),
		} as unknown as R2Bucket;
		const ctx = createExecutionContext();
		const res = await worker.fetch(
			new Request(`${ORIGIN}/r/${link.id}/uploads/${session.uploadId}/parts/1`, {
				method: "PUT",
				headers: {
					"Upload-Token": session.uploadToken,
					"Link-Secret": parseUploadUrl(uploadUrl).secret,
				},
				body: data.slice(0, 8 * MiB),
			}),
			{ ...env, FILES: flaky },
			ctx,
		);
		await waitOnExecutionContext(ctx);
		const p = await expectProblem(res, 503, "storage-unavailable");
		expect(p.retryable).toBe(true);
		expect(res.headers.get("retry-after")).toBe("1");
		expect((await client.status(session)).parts).toEqual([]);
		const result = await client.resume(session, data);
		expect(result.command.status).toBe("succeeded");
		await expectClean(link.id);
	});

	for (const [what, make] of [
		[
			"a body that errors mid-part",
			(chunk: Uint8Array) => errorAfter(chunk, new Error("client went away")),
		],
		[
			"a client that disconnects mid-part",
			(chunk: Uint8Array) => errorAfter(chunk, new DOMException("aborted", "AbortError")),
		],
	] as const) {
		it(`${what}: 400 length-mismatch, nothing recorded, no object; the retry succeeds`, async () => {
			const { apiKey } = await createOwner();
			const { link, uploadUrl } = await createLink(apiKey);
			const data = bytesOf(9 * MiB, 6);
			const client = uploaderFor(uploadUrl);
			const { session } = await client.init(data.byteLength, { name: "cut.bin" });
			const res = await callSession(uploadUrl, session, "/parts/1", {
				method: "PUT",
				body: make(data.slice(0, 3 * MiB)),
				// @ts-expect-error: duplex is needed for a streamed request body
				duplex: "half",
			});
			await expectProblem(res, 400, "length-mismatch");
			expect((await client.status(session)).parts).toEqual([]);
			expect((await env.FILES.list({ prefix: `links/${link.id}/` })).objects).toEqual([]);
			expect((await client.resume(session, data)).command.status).toBe("succeeded");
			await expectClean(link.id);
		});
	}

	it("a single PUT body that breaks leaves the upload open and R2 empty", async () => {
		const { apiKey } = await createOwner();
		const { link, uploadUrl } = await createLink(apiKey);
		const client = uploaderFor(uploadUrl);
		const { session } = await client.init(1000, { name: "s.txt" });
		const res = await callSession(uploadUrl, session, "", {
			method: "PUT",
			body: errorAfter(bytesOf(400), new Error("reset")),
			// @ts-expect-error: duplex is needed for a streamed request body
			duplex: "half",
		});
		await expectProblem(res, 400, "length-mismatch");
		expect((await client.status(session)).state).toBe("open");
		expect((await env.FILES.list({ prefix: `links/${link.id}/` })).objects).toEqual([]);
		// The lease was released by the failed record: the retry is admitted.
		expect((await client.resume(session, bytesOf(1000))).command.status).toBe("succeeded");
	});
});

function errorAfter(chunk: Uint8Array, error: unknown): ReadableStream<Uint8Array> {
	let sent = false;
	return new ReadableStream<Uint8Array>({
		pull(controller) {
			if (!sent) {
				sent = true;
				controller.enqueue(chunk);
			} else controller.error(error);
		},
	});
}
