/**
 * The webhook event outbox (docs/webhooks.md): each event is written in the
 * same storage transaction as the change it announces (no event without its
 * change, no change without its event), carries the link's id, its own seq
 * and the epoch, and is sent to the webhook-deliveries queue after the
 * commit; a failed send (or none at all) is re-sent by the events timer, so
 * nothing is lost between the commit and the send.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { LinkDO } from "../../src/do/link-do";
import {
	ADMIN,
	bearer,
	bytesOf,
	callLink,
	fireTimers,
	initUpload,
	issue,
	openLink,
	setFaults,
	sleep,
	stubOf,
	uploaderFor,
	waitForCommand,
} from "../helpers";

interface StoredEvent {
	seq: number;
	id: string;
	type: string;
	sent: boolean;
	payload: { type: string; timestamp: string; data: Record<string, unknown> };
}

async function eventsOf(linkId: string): Promise<StoredEvent[]> {
	return runInDurableObject(stubOf(linkId), (_i: LinkDO, state) =>
		state.storage.sql
			.exec<{ seq: number; id: string; type: string; payload: string; sent_at: number | null }>(
				"SELECT seq, id, type, payload, sent_at FROM events ORDER BY seq",
			)
			.toArray()
			.map((r) => ({
				seq: r.seq,
				id: r.id,
				type: r.type,
				sent: r.sent_at !== null,
				payload: JSON.parse(r.payload),
			})),
	);
}

const transitionsOf = (linkId: string) =>
	runInDurableObject(
		stubOf(linkId),
		(_i: LinkDO, state) =>
			state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM transitions").one().n,
	);

const post = (path: string, apiKey: string) =>
	fetchPath(path, { method: "POST", headers: bearer(apiKey) });

async function fetchPath(path: string, init: RequestInit): Promise<Response> {
	const { call } = await import("../helpers");
	return call(path, init);
}

describe("the event outbox", () => {
	it("pause and resume write link.paused and link.resumed with seq and epoch, and send them", async () => {
		const { apiKey, linkId } = await openLink();
		expect(await eventsOf(linkId)).toEqual([]);
		expect((await post(`/api/links/${linkId}/pause`, apiKey)).status).toBe(200);
		expect((await post(`/api/links/${linkId}/pause`, apiKey)).status).toBe(200); // a repeat: no change, no event
		expect((await post(`/api/links/${linkId}/resume`, apiKey)).status).toBe(200);
		const events = await eventsOf(linkId);
		expect(events.map((e) => [e.seq, e.type, e.payload.data.epoch, e.sent])).toEqual([
			[1, "link.paused", 2, true],
			[2, "link.resumed", 3, true],
		]);
		for (const e of events) {
			expect(e.id).toMatch(/^evt_[0-9a-z]{26}$/);
			expect(e.payload).toMatchObject({ type: e.type, data: { linkId, seq: e.seq } });
			expect(Date.parse(e.payload.timestamp)).not.toBeNaN();
		}
		// One event per transition, exactly.
		expect(await transitionsOf(linkId)).toBe(2);
	});

	it("a transition that fails before its commit writes no event; the one that commits writes one", async () => {
		const { apiKey, linkId } = await openLink();
		await setFaults(linkId, { failApply: 1 });
		const res = await issue("revoke", linkId, apiKey);
		const { command } = (await res.json()) as { command: { id: string } };
		await waitForCommand(command.id);
		const events = await eventsOf(linkId);
		expect(events.map((e) => e.type)).toEqual(["link.revoked"]);
		expect(events[0]?.payload.data).toMatchObject({ linkId, epoch: 2, commandId: command.id });
		expect(events[0]?.sent).toBe(true);
	});

	it("a send that fails after the commit loses nothing: the events timer sends it", async () => {
		const { apiKey, linkId } = await openLink();
		await setFaults(linkId, { failEventSend: 1 });
		expect((await post(`/api/links/${linkId}/pause`, apiKey)).status).toBe(200);
		let events = await eventsOf(linkId);
		expect(events.map((e) => [e.type, e.sent])).toEqual([["link.paused", false]]);
		const timer = await runInDurableObject(
			stubOf(linkId),
			(_i: LinkDO, state) =>
				state.storage.sql
					.exec<{ n: number }>("SELECT COUNT(*) AS n FROM timers WHERE name = 'events'")
					.one().n,
		);
		expect(timer).toBe(1);
		await fireTimers(linkId, ["events"]);
		events = await eventsOf(linkId);
		expect(events.map((e) => [e.type, e.sent])).toEqual([["link.paused", true]]);
	});

	it("an event recorded but never sent (the process died before its alarm was set) is sent after a restart", async () => {
		const { linkId } = await openLink();
		// As if the process died right after the commit: the row and its timer, no alarm, nothing sent.
		await runInDurableObject(stubOf(linkId), async (instance: LinkDO, state) => {
			const inner = instance as unknown as {
				host: { transaction<T>(f: () => T): T; events: { record(l: unknown, t: string): void } };
				row: { link(): unknown };
			};
			inner.host.transaction(() => inner.host.events.record(inner.row.link(), "link.paused"));
			await state.storage.deleteAlarm();
		});
		expect((await eventsOf(linkId)).map((e) => e.sent)).toEqual([false]);
		// A new instance on the same storage (what a restart makes) re-arms the alarm...
		const armed = await runInDurableObject(stubOf(linkId), async (_i: LinkDO, state) => {
			const { LinkDO: Fresh } = await import("../../src/do/link-do");
			new Fresh(state, env);
			await state.blockConcurrencyWhile(async () => {});
			return state.storage.getAlarm();
		});
		expect(armed).not.toBeNull();
		// ...and the alarm sends the event.
		await fireTimers(linkId, ["events"]);
		expect((await eventsOf(linkId)).map((e) => e.sent)).toEqual([true]);
	});

	it("a finalized file writes upload.finalized with the file's details", async () => {
		const { linkId, uploadUrl } = await openLink();
		const result = await uploaderFor(uploadUrl).upload(bytesOf(1500, 3), {
			name: "report.pdf",
			type: "application/pdf",
			uploaderName: "Ann",
		});
		expect(result.command.status).toBe("succeeded");
		const [event] = await eventsOf(linkId);
		expect(event?.type).toBe("upload.finalized");
		expect(event?.payload.data).toMatchObject({
			linkId,
			seq: 1,
			epoch: 1,
			name: "report.pdf",
			size: 1500,
			type: "application/pdf",
			uploaderName: "Ann",
		});
		const fileId = String(event?.payload.data.fileId);
		expect(event?.payload.data.downloadPath).toBe(`/api/files/${fileId}/content`);
		expect(event?.sent).toBe(true);
	});

	it("a completed upload rejected when the link closes writes upload.rejected with the reason", async () => {
		const { apiKey, linkId, uploadUrl } = await openLink({ lateFinalize: "reject" });
		const { upload, uploadToken } = await initUpload(uploadUrl, { name: "late.bin", size: 100 });
		const put = await callLink(uploadUrl, `/uploads/${upload.id}`, {
			method: "PUT",
			headers: { "Upload-Token": uploadToken },
			body: bytesOf(100, 5),
		});
		expect(put.status).toBe(200);
		const res = await issue("revoke", linkId, apiKey);
		const { command } = (await res.json()) as { command: { id: string } };
		await waitForCommand(command.id);
		const types = (await eventsOf(linkId)).map((e) => e.type);
		expect(types).toEqual(["link.revoked", "upload.rejected"]);
		const rejected = (await eventsOf(linkId))[1];
		expect(rejected?.payload.data).toMatchObject({
			uploadId: upload.id,
			name: "late.bin",
			size: 100,
		});
		expect(typeof rejected?.payload.data.reason).toBe("string");
	});

	it("a dead-lettered command writes command.dead_lettered once", async () => {
		const { apiKey, linkId } = await openLink();
		await setFaults(linkId, { failStep: { "cleanup-uploads": 1_000 } });
		const res = await issue("revoke", linkId, apiKey);
		const { command } = (await res.json()) as { command: { id: string } };
		await waitForCommand(command.id, ["dead_lettered"], 15_000);
		// The DLQ consumer may report more than once: still one event.
		await sleep(200);
		const dead = (await eventsOf(linkId)).filter((e) => e.type === "command.dead_lettered");
		expect(dead).toHaveLength(1);
		expect(dead[0]?.payload.data).toMatchObject({ linkId, commandId: command.id, kind: "revoke" });
		const statuses = await fetchPath(`/api/commands/${command.id}`, { headers: ADMIN });
		expect(statuses.status).toBe(200);
	});
});
