/**
 * Pending commands apply in seq order, whatever order their queue messages
 * arrive in: a message only says "drain link X", and the drain walks the
 * log from the lowest unfinished seq.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import {
	bodyOf,
	type CommandBody,
	callLink,
	createLink,
	createOwner,
	issue,
	readCommand,
	setFaults,
	storedEpoch,
} from "../helpers";

let nextId = 0;

/** Delivers one batch holding a message per command, in the order given, to the real consumer. */
async function deliver(linkId: string, commands: CommandBody[]): Promise<void> {
	const batch = createMessageBatch(
		"link-commands",
		commands.map((c) => ({
			id: `order-${++nextId}`,
			timestamp: new Date(),
			attempts: 1,
			body: { v: 1, linkId, commandId: c.id, seq: c.seq },
		})),
	);
	const ctx = createExecutionContext();
	await worker.queue(batch, env, ctx);
	const result = await getQueueResult(batch, ctx);
	expect(result.explicitAcks).toHaveLength(commands.length);
}

/** A link whose queue sends all fail, so only the batches delivered here drain it. */
async function quietLink(settings: Record<string, unknown> = {}) {
	const { apiKey } = await createOwner();
	const { link, uploadUrl } = await createLink(apiKey, settings);
	await setFaults(link.id, { failSend: 1_000 });
	return { apiKey, link, uploadUrl };
}

async function accepted(res: Response): Promise<CommandBody> {
	expect(res.status).toBe(202);
	return (await bodyOf<{ command: CommandBody }>(res)).command;
}

/** The command succeeded with `result`, applied at `appliedEpoch`. */
async function expectSucceeded(c: CommandBody, result: string, appliedEpoch: number) {
	expect(await readCommand(c.id)).toMatchObject({ status: "succeeded", result, appliedEpoch });
}

describe("drain order", () => {
	it("revoke then delete, delivered delete first: revoke applies at epoch 2, delete at 3", async () => {
		const { apiKey, link } = await quietLink();
		const revoke = await accepted(await issue("revoke", link.id, apiKey));
		const del = await accepted(await issue("delete", link.id, apiKey));
		expect(del.seq).toBeGreaterThan(revoke.seq);
		await deliver(link.id, [del, revoke]);
		await expectSucceeded(revoke, "revoked", 2);
		await expectSucceeded(del, "deleted", 3);
		expect(await storedEpoch(link.id)).toBe(3);
	});

	it("finalize then revoke, delivered revoke first: the file is finalized before the revoke", async () => {
		// Under `reject`, a finalize decided after the revoke would be refused: order shows.
		const { apiKey, link, uploadUrl } = await quietLink({ lateFinalize: "reject" });
		const init = await callLink(uploadUrl, "/uploads", {
			method: "POST",
			headers: { "Content-Type": "application/json" },
			body: JSON.stringify({ name: "a.txt", size: 3 }),
		});
		const { upload, uploadToken } = await bodyOf<{
			upload: { id: string };
			uploadToken: string;
		}>(init);
		const headers = { "Upload-Token": uploadToken };
		const put = await callLink(uploadUrl, `/uploads/${upload.id}`, {
			method: "PUT",
			headers,
			body: new Uint8Array([1, 2, 3]),
		});
		expect(put.status).toBe(200);
		const finalize = await accepted(
			await callLink(uploadUrl, `/uploads/${upload.id}/finalize`, { method: "POST", headers }),
		);
		const revoke = await accepted(await issue("revoke", link.id, apiKey));
		expect(revoke.seq).toBeGreaterThan(finalize.seq);
		await deliver(link.id, [revoke, finalize]);
		await expectSucceeded(finalize, "finalized", 1);
		await expectSucceeded(revoke, "revoked", 2);
	});
});
