/**
 * After a restart (a new process of the object: crash, deploy, eviction),
 * accepted commands whose send an earlier process made move within
 * RESTART_RESEND_MS, not a full OUTBOX_RESEND_MS.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { LinkDO } from "../../src/do/link-do";
import { RESTART_RESEND_MS } from "../../src/do/services/outbox";
import {
	bodyOf,
	type CommandBody,
	createLink,
	createOwner,
	issue,
	readCommand,
	setFaults,
	stubOf,
	waitForCommand,
} from "../helpers";

describe("restart resume", () => {
	it("a fresh instance re-sends an unapplied command sent by an earlier process within seconds", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey);
		// The live instance's sends all fail: its own outbox alarm cannot move the command.
		await setFaults(link.id, { failSend: 1_000 });
		const { command } = await bodyOf<{ command: CommandBody }>(
			await issue("revoke", link.id, apiKey),
		);
		const stub = stubOf(link.id);
		const before = Date.now();
		await runInDurableObject(stub, async (_live: LinkDO, state) => {
			// As if the earlier process had sent it a moment ago and the message was lost with it.
			state.storage.sql.exec(
				"UPDATE outbox SET sent_at = ?, send_count = 1, last_error = NULL",
				Date.now() - 2_000,
			);
			// ... and had armed its resend a full interval ahead.
			state.storage.sql.exec(
				"UPDATE timers SET due_at = ? WHERE name = 'outbox'",
				Date.now() + Number(env.OUTBOX_RESEND_MS),
			);
			// The object starts again: a new instance over the same storage (no test hooks).
			const fresh = new LinkDO(state, env);
			await state.blockConcurrencyWhile(async () => {});
			const timer = state.storage.sql
				.exec<{ due_at: number }>("SELECT due_at FROM timers WHERE name = 'outbox'")
				.one();
			expect(timer.due_at).toBeGreaterThanOrEqual(before);
			expect(timer.due_at).toBeLessThanOrEqual(Date.now() + RESTART_RESEND_MS);
			// The moment comes (within RESTART_RESEND_MS in production): its alarm re-sends.
			state.storage.sql.exec("UPDATE timers SET due_at = 0 WHERE name = 'outbox'");
			await fresh.alarm();
			const row = state.storage.sql
				.exec<{ send_count: number }>("SELECT send_count FROM outbox")
				.toArray();
			// Sent once more, or already applied (the outbox row goes with its command).
			expect(row.length === 0 || (row[0]?.send_count ?? 0) >= 2).toBe(true);
		});
		expect((await waitForCommand(command.id, ["succeeded"], 10_000)).status).toBe("succeeded");
	});

	it("a command sent recently by the same process waits for the resend interval", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey);
		await setFaults(link.id, { failSend: 1_000 });
		const { command } = await bodyOf<{ command: CommandBody }>(
			await issue("revoke", link.id, apiKey),
		);
		await setFaults(link.id, {});
		await runInDurableObject(stubOf(link.id), async (live: LinkDO, state) => {
			state.storage.sql.exec("UPDATE outbox SET sent_at = ?, send_count = 1", Date.now());
			state.storage.sql.exec("UPDATE timers SET due_at = 0 WHERE name = 'outbox'");
			await live.alarm();
			const row = state.storage.sql
				.exec<{ send_count: number }>("SELECT send_count FROM outbox")
				.one();
			expect(row.send_count).toBe(1);
		});
		expect((await readCommand(command.id)).status).toBe("accepted");
	});
});
