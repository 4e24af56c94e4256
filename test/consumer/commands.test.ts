import {
	createExecutionContext,
	createMessageBatch,
	evictDurableObject,
	getQueueResult,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import {
	bodyOf,
	type CommandBody,
	createLink,
	createOwner,
	issue,
	readCommand,
	setFaults,
	storedEpoch,
	stubOf,
} from "../helpers";

const QUEUE = "link-commands";

/** A link with `kinds` accepted in order but never sent (sends fail), so only our batches drain it. */
async function linkWithUnsentCommands(kinds: ("revoke" | "delete")[]) {
	const { apiKey } = await createOwner();
	const { link } = await createLink(apiKey);
	await setFaults(link.id, { failSend: 1_000 });
	const commands: CommandBody[] = [];
	for (const kind of kinds) {
		const res = await issue(kind, link.id, apiKey);
		expect(res.status).toBe(202);
		commands.push((await bodyOf<{ command: CommandBody }>(res)).command);
	}
	return { link, commands };
}

let nextId = 0;
function message(linkId: string, c: CommandBody, attempts = 1) {
	return {
		id: `m${++nextId}`,
		timestamp: new Date(),
		attempts,
		body: { v: 1, linkId, commandId: c.id, seq: c.seq },
	};
}

type Msg = { id: string; timestamp: Date; attempts: number; body: unknown };

/**
 * Delivers a batch to the real consumer. The plugin's getQueueResult does not
 * report retry delays, so retry() is spied on to read them.
 */
async function deliver(messages: Msg[], withEnv: Env = env) {
	const batch = createMessageBatch(QUEUE, messages);
	const spies = batch.messages.map((m) => vi.spyOn(m, "retry"));
	const ctx = createExecutionContext();
	await worker.queue(batch, withEnv, ctx);
	const result = await getQueueResult(batch, ctx);
	const delays = spies.map((s) => s.mock.calls[0]?.[0]?.delaySeconds);
	return { ...result, delays };
}

describe("command consumer", () => {
	it("acks a valid message explicitly once its command applied", async () => {
		const { link, commands } = await linkWithUnsentCommands(["revoke"]);
		const [revoke] = commands as [CommandBody];
		const m = message(link.id, revoke);
		const result = await deliver([m]);
		expect(result.explicitAcks).toEqual([m.id]);
		expect(result.retryMessages).toEqual([]);
		expect(await readCommand(revoke.id)).toMatchObject({ status: "succeeded", appliedEpoch: 2 });
	});

	it("applies a message delivered three times exactly once", async () => {
		const { link, commands } = await linkWithUnsentCommands(["revoke"]);
		const [revoke] = commands as [CommandBody];
		const first = await deliver([message(link.id, revoke), message(link.id, revoke)]);
		expect(first.explicitAcks).toHaveLength(2);
		const third = await deliver([message(link.id, revoke, 2)]);
		expect(third.explicitAcks).toHaveLength(1);
		expect(await storedEpoch(link.id)).toBe(2);
		expect(await readCommand(revoke.id)).toMatchObject({ status: "succeeded", attempts: 0 });
	});

	it("applies seq 1 before seq 2 when seq 2's message arrives first", async () => {
		const { link, commands } = await linkWithUnsentCommands(["revoke", "delete"]);
		const [revoke, del] = commands as [CommandBody, CommandBody];
		const r2 = await deliver([message(link.id, del)]);
		expect(r2.explicitAcks).toHaveLength(1);
		expect(await readCommand(revoke.id)).toMatchObject({ status: "succeeded", appliedEpoch: 2 });
		expect(await readCommand(del.id)).toMatchObject({ status: "succeeded", appliedEpoch: 3 });
		const r1 = await deliver([message(link.id, revoke)]);
		expect(r1.explicitAcks).toHaveLength(1);
		expect(await storedEpoch(link.id)).toBe(3);
	});

	it("acks and records a poison message, never retrying it", async () => {
		const poison = [
			{ id: "p1", timestamp: new Date(), attempts: 1, body: { v: 2, linkId: "lnk_x" } },
			{ id: "p2", timestamp: new Date(), attempts: 1, body: "drain everything" },
			{ id: "p3", timestamp: new Date(), attempts: 1, body: null },
		];
		const result = await deliver(poison);
		expect(result.explicitAcks.sort()).toEqual(["p1", "p2", "p3"]);
		expect(result.retryMessages).toEqual([]);
		const rows = await env.DB.prepare(
			"SELECT message_id, status FROM dead_letters WHERE message_id IN ('p1','p2','p3') ORDER BY message_id",
		).all();
		expect(rows.results).toEqual([
			{ message_id: "p1", status: "invalid" },
			{ message_id: "p2", status: "invalid" },
			{ message_id: "p3", status: "invalid" },
		]);
	});

	it("retries with backoff when a step fails, resuming after the committed transition", async () => {
		const { link, commands } = await linkWithUnsentCommands(["revoke"]);
		const [revoke] = commands as [CommandBody];
		await setFaults(link.id, { failSend: 1_000, failStep: { project: 1 } });
		const m = message(link.id, revoke, 3);
		const failed = await deliver([m]);
		expect(failed.explicitAcks).toEqual([]);
		expect(failed.retryMessages).toEqual([{ msgId: m.id }]);
		expect(failed.delays).toEqual([0]);
		// The transition is committed before side effects: the link is revoked, steps half done.
		const mid = await readCommand(revoke.id);
		expect(mid).toMatchObject({ status: "applying", appliedEpoch: 2, attempts: 1 });
		expect(mid.error).toContain("injected failure in step project");
		expect(mid.steps).toEqual([
			{ name: "cleanup-uploads", done: true },
			{ name: "project", done: false },
		]);
		const retried = await deliver([message(link.id, revoke, 4)]);
		expect(retried.explicitAcks).toHaveLength(1);
		expect(await readCommand(revoke.id)).toMatchObject({
			status: "succeeded",
			appliedEpoch: 2,
			error: null,
		});
		expect(await storedEpoch(link.id)).toBe(2);
	});

	it("uses exponential backoff from RETRY_BACKOFF_BASE_SECONDS", async () => {
		const { link, commands } = await linkWithUnsentCommands(["revoke"]);
		const [revoke] = commands as [CommandBody];
		await setFaults(link.id, { failSend: 1_000, failApply: 3 });
		const custom = { ...env, RETRY_BACKOFF_BASE_SECONDS: "2" } as Env;
		const delays: (number | undefined)[] = [];
		for (const attempts of [1, 2, 3]) {
			const r = await deliver([message(link.id, revoke, attempts)], custom);
			expect(r.retryMessages).toHaveLength(1);
			delays.push(r.delays[0]);
		}
		expect(delays).toEqual([2, 4, 8]);
		expect(await readCommand(revoke.id)).toMatchObject({
			status: "accepted",
			attempts: 3,
			appliedEpoch: null,
		});
	});

	it("survives the consumer crashing after the DO committed but before the ack", async () => {
		const { link, commands } = await linkWithUnsentCommands(["revoke"]);
		const [revoke] = commands as [CommandBody];
		// The consumer's drain call completes, then the consumer dies: no ack, the message comes back.
		await stubOf(link.id).drain();
		const redelivered = await deliver([message(link.id, revoke, 2)]);
		expect(redelivered.explicitAcks).toHaveLength(1);
		expect(await readCommand(revoke.id)).toMatchObject({ status: "succeeded", appliedEpoch: 2 });
		expect(await storedEpoch(link.id)).toBe(2);
	});

	it("resumes after the DO is evicted mid-drain", async () => {
		const { link, commands } = await linkWithUnsentCommands(["delete"]);
		const [del] = commands as [CommandBody];
		await env.FILES.put(`links/${link.id}/uploads/u1`, "x");
		await setFaults(link.id, { failSend: 1_000, failStep: { "purge-objects": 1 } });
		const failed = await deliver([message(link.id, del)]);
		expect(failed.retryMessages).toHaveLength(1);
		await evictDurableObject(stubOf(link.id));
		// A fresh instance: in-memory state (faults, the drain chain) is gone; storage is not.
		const resumed = await deliver([message(link.id, del, 2)]);
		expect(resumed.explicitAcks).toHaveLength(1);
		const done = await readCommand(del.id);
		expect(done).toMatchObject({ status: "succeeded", appliedEpoch: 2 });
		expect(done.steps.every((s) => s.done)).toBe(true);
		expect(await storedEpoch(link.id)).toBe(2);
		expect((await env.FILES.list({ prefix: `links/${link.id}/` })).objects).toHaveLength(0);
	});

	it("serializes concurrent drains of one DO", async () => {
		const { link, commands } = await linkWithUnsentCommands(["revoke", "delete"]);
		const stub = stubOf(link.id);
		const reports = await Promise.all([stub.drain(), stub.drain(), stub.drain()]);
		expect(reports.map((r) => r.outcome)).toEqual(["idle", "idle", "idle"]);
		expect(await storedEpoch(link.id)).toBe(3);
		for (const c of commands) expect((await readCommand(c.id)).status).toBe("succeeded");
	});
});
