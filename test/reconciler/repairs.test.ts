/**
 * The scheduled reconciler (src/reconciler): each repair kind, run through the
 * Worker's `scheduled` export, and idempotency (the run after a repair
 * repairs nothing for that link).
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { LinkDO } from "../../src/do/link-do";
import {
	bodyOf,
	type CommandBody,
	createLink,
	createOwner,
	fireTimers,
	issue,
	r2Keys,
	readCommand,
	setFaults,
	stubOf,
	waitForCommand,
} from "../helpers";
import { runCron } from "./kit";

const BIG = { RECONCILE_BATCH: "1000" };

async function revoked() {
	const { apiKey } = await createOwner();
	const { link } = await createLink(apiKey);
	const { command } = await bodyOf<{ command: CommandBody }>(
		await issue("revoke", link.id, apiKey),
	);
	await waitForCommand(command.id);
	return { apiKey, link, command };
}

async function d1Row(linkId: string) {
	return env.DB.prepare("SELECT state, epoch, closing, title, swept FROM links WHERE id = ?")
		.bind(linkId)
		.first<{ state: string; epoch: number; closing: number; title: string; swept: number }>();
}

describe("scheduled reconciler", () => {
	it("re-sends an overdue outbox whose timer was lost", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey);
		await setFaults(link.id, { failSend: 1 });
		const { command } = await bodyOf<{ command: CommandBody }>(
			await issue("revoke", link.id, apiKey),
		);
		// The first send failed and the timer that would retry it is lost.
		await runInDurableObject(stubOf(link.id), async (_i: LinkDO, state) => {
			state.storage.sql.exec("DELETE FROM timers WHERE name = 'outbox'");
			await state.storage.deleteAlarm();
		});
		expect((await readCommand(command.id)).status).toBe("accepted");

		const run = await runCron(BIG);
		expect(run.of(link.id)).toEqual([
			{ event: "reconcile.repair", kind: "outbox-resent", linkId: link.id, count: 1 },
		]);
		expect(run.summary.byKind["outbox-resent"]).toBeGreaterThanOrEqual(1);
		await waitForCommand(command.id);

		const again = await runCron(BIG);
		expect(again.of(link.id)).toEqual([]);
	});

	it("writes the dead-letter row the DLQ consumer and the DO could not", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey);
		await setFaults(link.id, { failSend: 1_000, failDeadLetterRecord: 1_000 });
		const { command } = await bodyOf<{ command: CommandBody }>(
			await issue("revoke", link.id, apiKey),
		);
		const dead = await stubOf(link.id).deadLetter({ commandId: command.id, generation: 0 });
		expect(dead?.status).toBe("dead_lettered");
		const rows = () =>
			env.DB.prepare("SELECT status FROM dead_letters WHERE command_id = ?")
				.bind(command.id)
				.all()
				.then((r) => r.results);
		expect(await rows()).toEqual([]);
		// D1 is back; the DO's own retry timer has not fired yet.
		await setFaults(link.id, { failSend: 1_000 });

		const run = await runCron(BIG);
		expect(run.of(link.id)).toEqual([
			{
				event: "reconcile.repair",
				kind: "dead-letter-recorded",
				linkId: link.id,
				commandId: command.id,
			},
		]);
		expect(await rows()).toEqual([{ status: "pending" }]);
		expect((await runCron(BIG)).of(link.id)).toEqual([]);
		expect(await rows()).toHaveLength(1);
	});

	it("re-arms the sweep while a closed link's prefix holds an object that landed after it", async () => {
		const { link } = await revoked();
		await fireTimers(link.id, ["sweep"]);
		// A crashed request's write lands after the sweep ran.
		await env.FILES.put(`links/${link.id}/uploads/upl_late0000000000000000`, "late");

		const run = await runCron(BIG);
		expect(run.of(link.id)).toEqual([
			{ event: "reconcile.repair", kind: "sweep-rearmed", linkId: link.id, count: 1 },
		]);
		await fireTimers(link.id, ["sweep"]);
		expect(await r2Keys(link.id)).toEqual([]);

		// Clean now: no repair, and D1 marks it swept, so the attention pass skips it.
		expect((await runCron(BIG)).of(link.id)).toEqual([]);
		expect((await d1Row(link.id))?.swept).toBe(1);
	});

	it("repairs a D1 projection that drifted from its DO", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey, { title: "Holiday photos" });
		await env.DB.prepare(
			"UPDATE links SET state = 'revoked', closing = 1, title = 'x' WHERE id = ?",
		)
			.bind(link.id)
			.run();

		const run = await runCron(BIG);
		expect(run.of(link.id)).toEqual([
			{
				event: "reconcile.repair",
				kind: "projection-repaired",
				linkId: link.id,
				fields: ["state", "closing", "title"],
			},
		]);
		expect(await d1Row(link.id)).toMatchObject({
			state: "active",
			closing: 0,
			title: "Holiday photos",
			epoch: 1,
		});
		expect((await runCron(BIG)).of(link.id)).toEqual([]);
	});

	it("a run after every link is settled repairs nothing", async () => {
		const { link } = await revoked();
		await fireTimers(link.id, ["sweep"]);
		await runCron(BIG);
		const run = await runCron(BIG);
		expect(run.summary).toMatchObject({ repairs: 0, errors: 0, byKind: {} });
		expect(run.summary.links).toBeGreaterThan(0);
	});
});
