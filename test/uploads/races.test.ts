/**
 * The four races that motivated the epoch (shared/seeds), made deterministic:
 * the race seam applies a terminal command between an operation's admit and
 * its record. Each asserts the response and that R2 holds nothing it should not.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { LinkDO } from "../../src/do/link-do";
import {
	bearer,
	bodyOf,
	bytesOf,
	type CommandBody,
	call,
	callSession,
	createLink,
	createOwner,
	expectClean,
	expectProblem,
	fireTimers,
	initRaw,
	issue,
	r2Keys,
	setFaults,
	stubOf,
	uploaderFor,
	waitForCommand,
} from "../helpers";

const MiB = 1024 * 1024;

async function fixture(settings: Record<string, unknown> = {}) {
	const { apiKey } = await createOwner();
	const { link, uploadUrl } = await createLink(apiKey, settings);
	return { apiKey, link, uploadUrl, client: uploaderFor(uploadUrl) };
}

async function uploadState(linkId: string, uploadId: string) {
	return runInDurableObject(stubOf(linkId), (_i: LinkDO, state) =>
		state.storage.sql
			.exec<{ state: string; r2_upload_id: string | null }>(
				"SELECT state, r2_upload_id FROM uploads WHERE id = ?",
				uploadId,
			)
			.one(),
	);
}

async function reserved(linkId: string) {
	return runInDurableObject(stubOf(linkId), (_i: LinkDO, state) =>
		state.storage.sql
			.exec<{ f: number; b: number }>("SELECT reserved_files AS f, reserved_bytes AS b FROM link")
			.one(),
	);
}

function putPart(
	uploadUrl: string,
	session: { uploadId: string; uploadToken: string },
	n: number,
	body: Uint8Array,
) {
	return callSession(uploadUrl, session, `/parts/${n}`, { method: "PUT", body });
}

describe("race: terminal transition between admit and record", () => {
	for (const [kind, at] of [
		["revoke", "admit"],
		["revoke", "record"],
		["delete", "admit"],
		["delete", "record"],
	] as const) {
		const code = kind === "revoke" ? "link-revoked" : "link-deleted";
		const race = { kind, at };

		it(`init (multipart creation) racing ${kind} (applied at ${at}): 410 ${code}, multipart aborted, quota released`, async () => {
			const { link, uploadUrl } = await fixture();
			await setFaults(link.id, { race });
			await expectProblem(await initRaw(uploadUrl, { name: "big.bin", size: 20 * MiB }), 410, code);
			expect(await r2Keys(link.id)).toEqual([]);
			const rows = await runInDurableObject(stubOf(link.id), (_i: LinkDO, state) =>
				state.storage.sql
					.exec<{ state: string; r2_upload_id: string | null }>(
						"SELECT state, r2_upload_id FROM uploads",
					)
					.toArray(),
			);
			expect(rows.map((r) => r.state)).toEqual(["aborted"]);
			expect(await reserved(link.id)).toEqual({ f: 0, b: 0 });
			await expectClean(link.id);
		});

		it(`single PUT racing ${kind} (applied at ${at}): 410 ${code} and the object is removed`, async () => {
			const { link, uploadUrl, client } = await fixture();
			const { session } = await client.init(100, { name: "a.txt" });
			await setFaults(link.id, { race });
			const res = await callSession(uploadUrl, session, "", { method: "PUT", body: bytesOf(100) });
			const p = await expectProblem(res, 410, code);
			expect(p.epoch).toBe(2);
			expect(await r2Keys(link.id)).toEqual([]);
			expect((await uploadState(link.id, session.uploadId)).state).toBe("aborted");
			await expectClean(link.id);
		});

		it(`part PUT racing ${kind} (applied at ${at}): 410 ${code}, never recorded, multipart aborted`, async () => {
			const { link, uploadUrl, client } = await fixture();
			const { session } = await client.init(20 * MiB, { name: "v.bin" });
			expect((await putPart(uploadUrl, session, 1, bytesOf(8 * MiB))).status).toBe(200);
			await setFaults(link.id, { race });
			await expectProblem(await putPart(uploadUrl, session, 2, bytesOf(8 * MiB)), 410, code);
			const { r2_upload_id: r2UploadId } = await uploadState(link.id, session.uploadId);
			const parts = await runInDurableObject(stubOf(link.id), (_i: LinkDO, state) =>
				state.storage.sql
					.exec<{ n: number }>(
						"SELECT part_number AS n FROM parts WHERE upload_id = ?",
						session.uploadId,
					)
					.toArray(),
			);
			expect(parts.map((p) => p.n)).toEqual([1]);
			// The multipart upload is gone: R2 refuses another part.
			const mpu = env.FILES.resumeMultipartUpload(
				`links/${link.id}/uploads/${session.uploadId}`,
				r2UploadId ?? "",
			);
			await expect(mpu.uploadPart(3, bytesOf(4 * MiB))).rejects.toThrow();
			expect(await r2Keys(link.id)).toEqual([]);
			await expectClean(link.id);
		});

		it(`complete racing ${kind} (applied at ${at}): 410 ${code} and the committed object is deleted`, async () => {
			const { link, uploadUrl, client } = await fixture({ lateFinalize: "recover" });
			const { session } = await client.init(9 * MiB, { name: "c.bin" });
			expect((await putPart(uploadUrl, session, 1, bytesOf(8 * MiB))).status).toBe(200);
			expect((await putPart(uploadUrl, session, 2, bytesOf(1 * MiB))).status).toBe(200);
			await setFaults(link.id, { race });
			const res = await callSession(uploadUrl, session, "/complete", { method: "POST" });
			await expectProblem(res, 410, code);
			expect(await r2Keys(link.id)).toEqual([]);
			// Completed after the terminal epoch: not finalization-pending, so not recovered.
			const files = await env.DB.prepare("SELECT COUNT(*) AS n FROM files WHERE link_id = ?")
				.bind(link.id)
				.first();
			expect(files).toEqual({ n: 0 });
			await expectClean(link.id);
		});
	}

	it("finalize accepted before a delete is decided first: finalized, then purged with the link", async () => {
		const { apiKey, link, uploadUrl, client } = await fixture();
		const { session } = await client.init(10, { name: "f.txt" });
		await callSession(uploadUrl, session, "", { method: "PUT", body: bytesOf(10) });
		await setFaults(link.id, { failSend: 1_000 });
		const fin = await bodyOf<{ command: CommandBody }>(
			await callSession(uploadUrl, session, "/finalize", { method: "POST" }),
		);
		const del = await bodyOf<{ command: CommandBody }>(await issue("delete", link.id, apiKey));
		expect([fin.command.seq, del.command.seq]).toEqual([1, 2]);
		await setFaults(link.id, {});
		await fireTimers(link.id, ["outbox"]);
		expect(await waitForCommand(fin.command.id)).toMatchObject({
			status: "succeeded",
			result: "finalized",
			appliedEpoch: 1,
		});
		expect(await waitForCommand(del.command.id)).toMatchObject({
			status: "succeeded",
			appliedEpoch: 2,
		});
		expect(await r2Keys(link.id)).toEqual([]);
		expect(
			await env.DB.prepare("SELECT COUNT(*) AS n FROM files WHERE link_id = ?")
				.bind(link.id)
				.first(),
		).toEqual({ n: 0 });
		await expectProblem(
			await call(`/api/links/${link.id}/files`, { headers: bearer(apiKey) }),
			410,
			"link-deleted",
		);
	});

	it("finalize accepted while a delete is pending is decided after it: rejected link-deleted, bytes gone", async () => {
		const { apiKey, link, uploadUrl, client } = await fixture();
		const { session } = await client.init(10, { name: "f.txt" });
		await callSession(uploadUrl, session, "", { method: "PUT", body: bytesOf(10) });
		await setFaults(link.id, { failSend: 1_000 });
		const del = await bodyOf<{ command: CommandBody }>(await issue("delete", link.id, apiKey));
		const finRes = await callSession(uploadUrl, session, "/finalize", { method: "POST" });
		expect(finRes.status).toBe(202);
		const fin = await bodyOf<{ command: CommandBody }>(finRes);
		await setFaults(link.id, {});
		await fireTimers(link.id, ["outbox"]);
		await waitForCommand(del.command.id);
		expect(await waitForCommand(fin.command.id, ["rejected"])).toMatchObject({
			result: "link-deleted",
		});
		expect(await r2Keys(link.id)).toEqual([]);
	});
});

describe("finalization-pending uploads and lateFinalize", () => {
	async function completedThenRevoked(policy: "recover" | "reject", finalizeFirst = false) {
		const { apiKey, link, uploadUrl, client } = await fixture({ lateFinalize: policy });
		const { session } = await client.init(10, { name: "late.txt" });
		await callSession(uploadUrl, session, "", { method: "PUT", body: bytesOf(10) });
		const open = await client.init(20 * MiB, { name: "open.bin" });
		if (finalizeFirst) await setFaults(link.id, { failSend: 1_000 });
		const revoke = await bodyOf<{ command: CommandBody }>(await issue("revoke", link.id, apiKey));
		return { apiKey, link, uploadUrl, client, session, open: open.session, revoke: revoke.command };
	}

	it("recover (default): an upload completed before the revoke is finalized without being asked", async () => {
		const { apiKey, link, session, open, revoke } = await completedThenRevoked("recover");
		await waitForCommand(revoke.id);
		const files = await bodyOf<{ items: { uploadId: string }[] }>(
			await call(`/api/links/${link.id}/files`, { headers: bearer(apiKey) }),
		);
		expect(files.items.map((f) => f.uploadId)).toEqual([session.uploadId]);
		expect((await uploadState(link.id, session.uploadId)).state).toBe("finalized");
		expect((await uploadState(link.id, open.uploadId)).state).toBe("aborted");
		expect(await r2Keys(link.id)).toEqual([`links/${link.id}/uploads/${session.uploadId}`]);
		expect(await reserved(link.id)).toEqual({ f: 0, b: 0 });
	});

	it("recover: the uploader's late finalize still gets 202 and succeeds", async () => {
		const { link, uploadUrl, session, revoke } = await completedThenRevoked("recover");
		await waitForCommand(revoke.id);
		const res = await callSession(uploadUrl, session, "/finalize", { method: "POST" });
		expect(res.status).toBe(202);
		const { command } = await bodyOf<{ command: CommandBody }>(res);
		expect(await waitForCommand(command.id)).toMatchObject({
			status: "succeeded",
			result: "finalized",
		});
		expect((await uploadState(link.id, session.uploadId)).state).toBe("finalized");
	});

	it("reject: the completed upload is deleted and its finalize answers 410", async () => {
		const { link, uploadUrl, session, revoke } = await completedThenRevoked("reject");
		await waitForCommand(revoke.id);
		expect((await uploadState(link.id, session.uploadId)).state).toBe("rejected");
		expect(await r2Keys(link.id)).toEqual([]);
		const res = await callSession(uploadUrl, session, "/finalize", { method: "POST" });
		await expectProblem(res, 410, "link-revoked");
		// The status still shows the final outcome.
		const status = await bodyOf<{ upload: { state: string } }>(
			await callSession(uploadUrl, session),
		);
		expect(status.upload.state).toBe("rejected");
	});

	it("delete always rejects finalization-pending uploads, whatever the policy", async () => {
		const { apiKey, link, session } = await completedThenRevoked("recover", true);
		await setFaults(link.id, {});
		const del = await bodyOf<{ command: CommandBody }>(await issue("delete", link.id, apiKey));
		await fireTimers(link.id, ["outbox"]);
		await waitForCommand(del.command.id);
		expect((await uploadState(link.id, session.uploadId)).state).not.toBe("completed");
		expect(await r2Keys(link.id)).toEqual([]);
		const revokeCommands = await runInDurableObject(stubOf(link.id), (_i: LinkDO, state) =>
			state.storage.sql
				.exec<{ kind: string; status: string }>("SELECT kind, status FROM commands ORDER BY seq")
				.toArray(),
		);
		expect(revokeCommands).toEqual([
			{ kind: "revoke", status: "succeeded" },
			{ kind: "delete", status: "succeeded" },
		]);
	});
});

describe("pause and resume leave in-flight uploads alone", () => {
	it("a part admitted before a pause is recorded; new parts wait for resume", async () => {
		const { apiKey, link, uploadUrl, client } = await fixture();
		const data = bytesOf(17 * MiB, 4);
		const { session } = await client.init(data.byteLength, { name: "p.bin" });
		await setFaults(link.id, { race: { kind: "pause", at: "record" } });
		expect((await putPart(uploadUrl, session, 1, data.slice(0, 8 * MiB))).status).toBe(200);
		await expectProblem(
			await putPart(uploadUrl, session, 2, data.slice(8 * MiB, 16 * MiB)),
			423,
			"link-paused",
		);
		const status = await callSession(uploadUrl, session);
		expect(status.status).toBe(200);
		expect(
			(await call(`/api/links/${link.id}/resume`, { method: "POST", headers: bearer(apiKey) }))
				.status,
		).toBe(200);
		const result = await client.resume(session, data);
		expect(result.command.status).toBe("succeeded");
		expect(result.upload.parts.map((p) => p.partNumber)).toEqual([1, 2, 3]);
	});
});

describe("sweep and session expiry", () => {
	it("the sweep after a revoke removes leftovers but keeps finalized files", async () => {
		const { apiKey, link, client } = await fixture();
		const { upload } = await client.upload(bytesOf(10), { name: "keep.txt" });
		const revoke = await bodyOf<{ command: CommandBody }>(await issue("revoke", link.id, apiKey));
		await waitForCommand(revoke.command.id);
		await env.FILES.put(`links/${link.id}/uploads/upl_crashedrequest00000`, "left behind");
		await fireTimers(link.id, ["sweep"]);
		expect(await r2Keys(link.id)).toEqual([`links/${link.id}/uploads/${upload.id}`]);
	});

	it("abandoned sessions are aborted at their expiry and their quota released", async () => {
		const { link, client } = await fixture({ maxFiles: 1 });
		const { session } = await client.init(20 * MiB, { name: "gone.bin" });
		await runInDurableObject(stubOf(link.id), (_i: LinkDO, state) => {
			state.storage.sql.exec("UPDATE uploads SET expires_at = 0 WHERE id = ?", session.uploadId);
		});
		await fireTimers(link.id, ["sessions"]);
		expect((await uploadState(link.id, session.uploadId)).state).toBe("aborted");
		expect(await reserved(link.id)).toEqual({ f: 0, b: 0 });
		expect((await client.init(5, { name: "next.txt" })).upload.state).toBe("open");
	});
});
