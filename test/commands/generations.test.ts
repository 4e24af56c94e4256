/**
 * Replay generations and dead letters owned by the DO: a stale duplicate of
 * an older generation reaching the DLQ after a replay changes nothing, and a
 * dead letter whose D1 write failed is still recorded (by the DO's timer).
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import {
	ADMIN,
	bodyOf,
	type CommandBody,
	call,
	createLink,
	createOwner,
	fireTimers,
	issue,
	readCommand,
	setFaults,
} from "../helpers";

/** A revoke whose queue sends all fail: it stays accepted, nothing reaches the real queue. */
async function unsentRevoke(extra: Parameters<typeof setFaults>[1] = {}) {
	const { apiKey } = await createOwner();
	const { link } = await createLink(apiKey);
	await setFaults(link.id, { failSend: 1_000, ...extra });
	const { command } = await bodyOf<{ command: CommandBody }>(
		await issue("revoke", link.id, apiKey),
	);
	return { link, command };
}

/** Delivers `body` to the DLQ consumer as message `id`; returns the explicit acks. */
async function toDlq(id: string, body: unknown): Promise<string[]> {
	const batch = createMessageBatch("link-commands-dlq", [
		{ id, timestamp: new Date(), attempts: 1, body },
	]);
	const ctx = createExecutionContext();
	await worker.queue(batch, env, ctx);
	return (await getQueueResult(batch, ctx)).explicitAcks;
}

async function deadLetterRows(commandId: string) {
	const rows = await env.DB.prepare(
		"SELECT id, status, message_id AS messageId FROM dead_letters WHERE command_id = ? ORDER BY created_at",
	)
		.bind(commandId)
		.all<{ id: string; status: string; messageId: string }>();
	return rows.results;
}

describe("replay generations", () => {
	it("a stale duplicate of the replayed generation reaching the DLQ leaves the command's status unchanged", async () => {
		const { link, command } = await unsentRevoke();
		const v1 = { v: 1, linkId: link.id, commandId: command.id, seq: command.seq };
		expect(await toDlq("first", v1)).toEqual(["first"]);
		expect((await readCommand(command.id)).status).toBe("dead_lettered");
		const [pending] = await deadLetterRows(command.id);
		expect(pending).toMatchObject({ status: "pending", messageId: "first" });

		const replay = await call(`/api/admin/dead-letters/${pending?.id}/replay`, {
			method: "POST",
			headers: ADMIN,
		});
		expect(replay.status).toBe(202);
		expect((await readCommand(command.id)).status).toBe("accepted");

		// Duplicates of the first generation (a v1 message counts as generation 0, and a v2 one
		// naming it) reach the DLQ after the replay: acked, and nothing moves backwards.
		expect(await toDlq("stale-v1", v1)).toEqual(["stale-v1"]);
		expect(await toDlq("stale-v2", { ...v1, v: 2, gen: 0 })).toEqual(["stale-v2"]);
		expect((await readCommand(command.id)).status).toBe("accepted");
		expect((await deadLetterRows(command.id)).map((r) => r.status)).toEqual(["replayed"]);

		// A message of the current generation still dead-letters it (a new pending row).
		expect(await toDlq("current", { ...v1, v: 2, gen: 1 })).toEqual(["current"]);
		expect((await readCommand(command.id)).status).toBe("dead_lettered");
		expect((await deadLetterRows(command.id)).map((r) => r.status)).toEqual([
			"replayed",
			"pending",
		]);
	});

	it("a v2 message without its generation, or a v1 message with one, is invalid", async () => {
		const { link, command } = await unsentRevoke();
		const base = { linkId: link.id, commandId: command.id, seq: command.seq };
		expect(await toDlq("no-gen", { ...base, v: 2 })).toEqual(["no-gen"]);
		expect(await toDlq("v1-gen", { ...base, v: 1, gen: 0 })).toEqual(["v1-gen"]);
		expect((await readCommand(command.id)).status).toBe("accepted");
		const invalid = await env.DB.prepare(
			"SELECT COUNT(*) AS n FROM dead_letters WHERE message_id IN ('no-gen', 'v1-gen') AND status = 'invalid'",
		).first<{ n: number }>();
		expect(invalid?.n).toBe(2);
	});
});

describe("dead letters are always visible to admins", () => {
	it("when the D1 write fails, the DO records the dead letter from its timer", async () => {
		const { link, command } = await unsentRevoke({ failDeadLetterRecord: 1 });
		const body = { v: 2, linkId: link.id, commandId: command.id, seq: command.seq, gen: 0 };
		// The DLQ consumer acks: the DO holds the dead letter and owns writing its row.
		expect(await toDlq("lost-write", body)).toEqual(["lost-write"]);
		expect((await readCommand(command.id)).status).toBe("dead_lettered");
		expect(await deadLetterRows(command.id)).toEqual([]);

		await fireTimers(link.id, ["dead-letters"]);
		const rows = await deadLetterRows(command.id);
		expect(rows.map((r) => r.status)).toEqual(["pending"]);
		const listed = await bodyOf<{ items: { commandId: string }[] }>(
			await call(`/api/admin/dead-letters?linkId=${link.id}&status=pending`, { headers: ADMIN }),
		);
		expect(listed.items.map((d) => d.commandId)).toEqual([command.id]);
		// Recorded once: the timer is gone, a duplicate DLQ message folds into the row.
		expect(await toDlq("again", body)).toEqual(["again"]);
		expect(await deadLetterRows(command.id)).toHaveLength(1);
	});
});
