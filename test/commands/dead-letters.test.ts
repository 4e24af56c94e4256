import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import {
	ADMIN,
	bearer,
	bodyOf,
	type CommandBody,
	call,
	createLink,
	createOwner,
	expectProblem,
	issue,
	type LinkBody,
	readLink,
	setFaults,
	sleep,
	storedEpoch,
	waitForCommand,
} from "../helpers";

interface DeadLetterBody {
	id: string;
	linkId: string;
	commandId: string;
	status: string;
	attempts: number;
	lastError: string | null;
}

async function deadLetterFor(linkId: string, timeoutMs = 10_000): Promise<DeadLetterBody> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const res = await call(`/api/admin/dead-letters?linkId=${linkId}&status=pending`, {
			headers: ADMIN,
		});
		expect(res.status).toBe(200);
		const { items } = await bodyOf<{ items: DeadLetterBody[] }>(res);
		if (items[0]) return items[0];
		if (Date.now() > deadline) throw new Error(`no dead letter for ${linkId}`);
		await sleep(50);
	}
}

async function revokeThatFails(faults: Parameters<typeof setFaults>[1]) {
	const { apiKey } = await createOwner();
	const { link } = await createLink(apiKey);
	await setFaults(link.id, faults);
	const res = await issue("revoke", link.id, apiKey);
	const { command } = await bodyOf<{ command: CommandBody }>(res);
	return { apiKey, link, command };
}

describe("dead-letter queue", () => {
	it("a side effect failing past max_retries is dead-lettered, then replayed to succeeded", async () => {
		const { link, command } = await revokeThatFails({ failStep: { "cleanup-uploads": 1_000 } });
		const dl = await deadLetterFor(link.id);
		expect(dl).toMatchObject({ commandId: command.id, status: "pending" });
		expect(dl.attempts).toBeGreaterThanOrEqual(3);
		expect(dl.lastError).toContain("injected failure in step cleanup-uploads");
		const dead = await waitForCommand(command.id, ["dead_lettered"]);
		// The transition was applied before the side effects: the link is revoked regardless.
		expect(dead.appliedEpoch).toBe(2);
		expect(await storedEpoch(link.id)).toBe(2);

		const detail = await bodyOf<{ deadLetter: DeadLetterBody; command: CommandBody }>(
			await call(`/api/admin/dead-letters/${dl.id}`, { headers: ADMIN }),
		);
		expect(detail.command).toMatchObject({ id: command.id, status: "dead_lettered" });

		await setFaults(link.id, {});
		const replay = await call(`/api/admin/dead-letters/${dl.id}/replay`, {
			method: "POST",
			headers: ADMIN,
		});
		expect(replay.status).toBe(202);
		expect(replay.headers.get("location")).toBe(`/api/commands/${command.id}`);
		const done = await waitForCommand(command.id);
		expect(done).toMatchObject({ status: "succeeded", appliedEpoch: 2 });
		expect(await storedEpoch(link.id)).toBe(2);
		// Handled once: a second replay is 409.
		await expectProblem(
			await call(`/api/admin/dead-letters/${dl.id}/replay`, { method: "POST", headers: ADMIN }),
			409,
			"dead-letter-not-pending",
		);
		const listed = await bodyOf<{ items: DeadLetterBody[] }>(
			await call(`/api/admin/dead-letters?linkId=${link.id}`, { headers: ADMIN }),
		);
		expect(listed.items.map((d) => d.status)).toEqual(["replayed"]);
	});

	it("a command failing before its transition is discarded to cancelled, lifting the fence", async () => {
		const { apiKey, link, command } = await revokeThatFails({ failApply: 1_000 });
		const dl = await deadLetterFor(link.id);
		const closing = await bodyOf<{ link: LinkBody }>(await readLink(link.id));
		expect(closing.link).toMatchObject({ closing: true, epoch: 1 });
		await expectProblem(
			await call(`/api/links/${link.id}/pause`, { method: "POST", headers: bearer(apiKey) }),
			409,
			"terminal-pending",
		);
		const discard = await call(`/api/admin/dead-letters/${dl.id}/discard`, {
			method: "POST",
			headers: ADMIN,
		});
		expect(discard.status).toBe(200);
		const { command: cancelled } = await bodyOf<{ command: CommandBody }>(discard);
		expect(cancelled).toMatchObject({ id: command.id, status: "cancelled", appliedEpoch: null });
		const open = await bodyOf<{ link: LinkBody }>(await readLink(link.id));
		expect(open.link).toMatchObject({
			state: "active",
			closing: false,
			epoch: 1,
			pendingCommands: [],
		});
		const pause = await call(`/api/links/${link.id}/pause`, {
			method: "POST",
			headers: bearer(apiKey),
		});
		expect(pause.status).toBe(200);
		expect((await bodyOf<{ link: LinkBody }>(pause)).link.epoch).toBe(2);
	});

	it("discarding a command whose transition applied keeps the link terminal and finishes cleanup", async () => {
		const { link, command } = await revokeThatFails({ failStep: { project: 1_000 } });
		const dl = await deadLetterFor(link.id);
		await setFaults(link.id, {});
		const discard = await call(`/api/admin/dead-letters/${dl.id}/discard`, {
			method: "POST",
			headers: ADMIN,
		});
		const { command: cancelled } = await bodyOf<{ command: CommandBody }>(discard);
		expect(cancelled).toMatchObject({
			status: "cancelled",
			appliedEpoch: 2,
			result: "cancelled-after-apply",
		});
		expect(cancelled.steps.every((s) => s.done)).toBe(true);
		const row = await env.DB.prepare("SELECT state FROM links WHERE id = ?").bind(link.id).first();
		expect(row).toEqual({ state: "revoked" });
		expect(command.id).toBe(cancelled.id);
	});

	it("the DLQ consumer records once per pending command and acks", async () => {
		const { link, command } = await revokeThatFails({ failSend: 1_000 });
		const body = { v: 1, linkId: link.id, commandId: command.id, seq: command.seq };
		for (const id of ["d1", "d2"]) {
			const batch = createMessageBatch("link-commands-dlq", [
				{ id, timestamp: new Date(), attempts: 1, body },
			]);
			const ctx = createExecutionContext();
			await worker.queue(batch, env, ctx);
			expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual([id]);
		}
		const rows = await env.DB.prepare("SELECT status FROM dead_letters WHERE command_id = ?")
			.bind(command.id)
			.all();
		expect(rows.results).toEqual([{ status: "pending" }]);
		const dead = await waitForCommand(command.id, ["dead_lettered"]);
		expect(dead.appliedEpoch).toBeNull();
	});

	it("admin endpoints refuse owners and unknown ids", async () => {
		const { apiKey } = await createOwner();
		await expectProblem(
			await call("/api/admin/dead-letters", { headers: bearer(apiKey) }),
			403,
			"forbidden",
		);
		await expectProblem(
			await call("/api/admin/dead-letters/dl_nope", { headers: ADMIN }),
			404,
			"dead-letter-not-found",
		);
		await expectProblem(
			await call("/api/admin/dead-letters/dl_nope/replay", { method: "POST", headers: ADMIN }),
			404,
			"dead-letter-not-found",
		);
		await expectProblem(
			await call("/api/admin/dead-letters?status=weird", { headers: ADMIN }),
			400,
			"validation-failed",
		);
	});
});
