import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { LinkHost } from "../../src/do/host";
import type { LinkDO } from "../../src/do/link-do";
import { DEFAULT_SETTINGS } from "../../src/domain/settings";
import { newLinkId } from "../../src/lib/ids";

/** The host a LinkDO's services are built from (private; reached here to break D1 for one test). */
const hostOf = (instance: LinkDO) => (instance as unknown as { host: LinkHost }).host;

const owner = { kind: "owner" as const, ownerId: "own_test" };

async function freshLink(settings = DEFAULT_SETTINGS) {
	const linkId = await newLinkId(env.LINK_ID_SECRET);
	const stub = env.LINK_DO.get(env.LINK_DO.idFromName(linkId));
	const created = await stub.create({
		linkId,
		ownerId: owner.ownerId,
		tokenHash: "h".repeat(64),
		settings,
		passwordHash: null,
		maxLinks: null,
	});
	expect(created.ok).toBe(true);
	return { linkId, stub };
}

describe("LinkDO", () => {
	it("migrates its schema once and records the version", async () => {
		const { stub } = await freshLink();
		await runInDurableObject(stub, (_instance: LinkDO, state) => {
			const rows = state.storage.sql
				.exec<{ version: number }>("SELECT version FROM _schema")
				.toArray();
			// 5 added link.settings_revision, 6 the password_attempts table (issue 9), 7 and 8 the tus columns, 9 link.secret_box, 10 the events outbox, 11 command generation and dead_letter_recorded, 12 the feed's per-sink cursors.
			expect(rows).toEqual([{ version: 12 }]);
			const revision = state.storage.sql
				.exec<{ settings_revision: number }>("SELECT settings_revision FROM link")
				.one();
			expect(revision.settings_revision).toBe(1);
			const tables = state.storage.sql
				.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
				.toArray()
				.map((t) => t.name);
			expect(tables).toEqual(
				expect.arrayContaining([
					"link",
					"commands",
					"outbox",
					"idempotency",
					"timers",
					"uploads",
					"parts",
				]),
			);
		});
	});

	it("answers link-not-found for a link never created, and for another owner", async () => {
		const never = env.LINK_DO.get(env.LINK_DO.idFromName(await newLinkId(env.LINK_ID_SECRET)));
		expect(await never.get(owner)).toMatchObject({
			ok: false,
			problem: { code: "link-not-found", status: 404 },
		});
		const { stub } = await freshLink();
		expect(await stub.get({ kind: "owner", ownerId: "own_other" })).toMatchObject({
			ok: false,
			problem: { code: "link-not-found" },
		});
	});

	it("changes the epoch exactly once per applied pause/resume", async () => {
		const { stub } = await freshLink();
		const ops = ["pause", "pause", "resume", "pause", "resume", "resume"] as const;
		let expected = 1;
		let state = "active";
		for (const op of ops) {
			const target = op === "pause" ? "paused" : "active";
			if (target !== state) expected++;
			state = target;
			const r = op === "pause" ? await stub.pause(owner) : await stub.resume(owner);
			expect(r).toMatchObject({ ok: true, value: { epoch: expected, state } });
		}
	});

	it("retries a failed D1 projection from its alarm", async () => {
		const { linkId, stub } = await freshLink();
		// Make D1 fail for this instance only, then pause: the DO commits anyway.
		await runInDurableObject(stub, (instance: LinkDO) => {
			const broken = {
				prepare: () => {
					throw new Error("D1 unavailable");
				},
			} as unknown as D1Database;
			// The services reach D1 through the object's host (src/do/host.ts).
			Object.assign(hostOf(instance), { env: { ...env, DB: broken } });
		});
		expect(await stub.pause(owner)).toMatchObject({ ok: true, value: { epoch: 2 } });
		const stale = await env.DB.prepare("SELECT epoch FROM links WHERE id = ?").bind(linkId).first();
		expect(stale).toEqual({ epoch: 1 });
		await runInDurableObject(stub, (instance: LinkDO, state) => {
			Object.assign(hostOf(instance), { env });
			// Let the retry timer come due, as time would.
			state.storage.sql.exec("UPDATE timers SET due_at = 0 WHERE name = 'projection'");
		});
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		const fresh = await env.DB.prepare("SELECT state, epoch FROM links WHERE id = ?")
			.bind(linkId)
			.first();
		expect(fresh).toEqual({ state: "paused", epoch: 2 });
	});

	it("never rolls the projection back with an older version", async () => {
		const { linkId, stub } = await freshLink();
		await stub.pause(owner);
		const LinksTable = await import("../../src/d1/links");
		const view = await stub.get(owner);
		if (!view.ok) throw new Error("unreachable");
		await LinksTable.upsert(env.DB, { ...view.value, state: "active", epoch: 1 }, 1);
		const row = await env.DB.prepare("SELECT state, epoch FROM links WHERE id = ?")
			.bind(linkId)
			.first();
		expect(row).toEqual({ state: "paused", epoch: 2 });
	});
});
