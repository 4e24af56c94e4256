/**
 * Regression tests, each named after the bug it pins down.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { LinkDO } from "../../src/do/link-do";
import { sha256Hex } from "../../src/lib/crypto";
import { hashOfSecret } from "../../src/lib/ids";
import {
	bodyOf,
	bytesOf,
	type CommandBody,
	callLink,
	callSession,
	createLink,
	createOwner,
	expectClean,
	expectProblem,
	fireTimers,
	issue,
	parseUploadUrl,
	r2Keys,
	setFaults,
	stubOf,
	uploaderFor,
	waitForCommand,
} from "../helpers";

async function session(settings: Record<string, unknown> = {}) {
	const { apiKey } = await createOwner();
	const { link, uploadUrl } = await createLink(apiKey, settings);
	const { session } = await uploaderFor(uploadUrl).init(10, { name: "a.txt" });
	const secretHash = (await hashOfSecret(parseUploadUrl(uploadUrl).secret)) ?? "";
	const auth = {
		linkSecretHash: secretHash,
		uploadId: session.uploadId,
		tokenHash: await sha256Hex(session.uploadToken),
	};
	return { link, uploadUrl, session, auth, stub: stubOf(link.id) };
}

describe("regressions", () => {
	it("bug: a second single PUT admitted after an eviction could delete the accepted file (lease now stored)", async () => {
		const { auth, stub } = await session();
		const first = await stub.admitWrite({ ...auth, op: "single-put" });
		expect(first.ok).toBe(true);
		await evictDurableObject(stub);
		const second = await stub.admitWrite({ ...auth, op: "single-put" });
		expect(second).toMatchObject({
			ok: false,
			problem: { code: "upload-state-conflict", status: 409 },
		});
	});

	it("bug: a stray write recorded against a completed upload removed its object (never again)", async () => {
		const { link, auth, stub } = await session();
		const grant = await stub.admitWrite({ ...auth, op: "single-put" });
		if (!grant.ok) throw new Error("admit failed");
		const object = await env.FILES.put(grant.value.key, bytesOf(10));
		if (!object) throw new Error("put failed");
		const recorded = await stub.recordWrite({
			uploadId: auth.uploadId,
			op: "single-put",
			outcome: { ok: true, etag: object.etag, size: 10 },
		});
		expect(recorded).toMatchObject({ ok: true, value: { state: "completed" } });
		// A late duplicate record of a write to the same key (e.g. a retried request).
		const stray = await stub.recordWrite({
			uploadId: auth.uploadId,
			op: "single-put",
			outcome: { ok: true, etag: object.etag, size: 10 },
		});
		expect(stray).toMatchObject({ ok: false, problem: { code: "upload-state-conflict" } });
		expect(await r2Keys(link.id)).toEqual([grant.value.key]);
		const status = await stub.uploadStatus(auth);
		expect(status).toMatchObject({ ok: true, value: { state: "completed" } });
	});
});

describe("review findings", () => {
	it("a finalize decided after a delete is refused even for a file recovered by an earlier revoke", async () => {
		const { apiKey } = await createOwner();
		const { link, uploadUrl } = await createLink(apiKey);
		const client = uploaderFor(uploadUrl);
		const { session } = await client.init(10, { name: "r.txt" });
		const h = { "Upload-Token": session.uploadToken };
		await callLink(uploadUrl, `/uploads/${session.uploadId}`, {
			method: "PUT",
			headers: h,
			body: bytesOf(10),
		});
		const revoke = await bodyOf<{ command: CommandBody }>(await issue("revoke", link.id, apiKey));
		await waitForCommand(revoke.command.id);
		await setFaults(link.id, { failSend: 1_000 });
		const del = await bodyOf<{ command: CommandBody }>(await issue("delete", link.id, apiKey));
		const fin = await callLink(uploadUrl, `/uploads/${session.uploadId}/finalize`, {
			method: "POST",
			headers: h,
		});
		expect(fin.status).toBe(202);
		const { command } = await bodyOf<{ command: CommandBody }>(fin);
		await setFaults(link.id, {});
		await fireTimers(link.id, ["outbox"]);
		await waitForCommand(del.command.id);
		expect(await waitForCommand(command.id, ["rejected"])).toMatchObject({
			result: "link-deleted",
		});
		await expectClean(link.id);
	});

	it("finalize of an upload still open on a revoked link is 410, not 409", async () => {
		const { apiKey } = await createOwner();
		const { link, uploadUrl } = await createLink(apiKey);
		const { session } = await uploaderFor(uploadUrl).init(10, { name: "o.txt" });
		// The transition applies but its cleanup step fails: the upload is still open.
		await setFaults(link.id, { failStep: { "cleanup-uploads": 1_000 } });
		await bodyOf(await issue("revoke", link.id, apiKey));
		await stubOf(link.id).drain();
		const res = await callSession(uploadUrl, session, "/finalize", { method: "POST" });
		await expectProblem(res, 410, "link-revoked");
	});

	it("delete rejects a completed upload directly (no revoke first), whatever the policy", async () => {
		const { apiKey } = await createOwner();
		const { link, uploadUrl } = await createLink(apiKey, { lateFinalize: "recover" });
		const { session } = await uploaderFor(uploadUrl).init(10, { name: "d.txt" });
		await callSession(uploadUrl, session, "", { method: "PUT", body: bytesOf(10) });
		const del = await bodyOf<{ command: CommandBody }>(await issue("delete", link.id, apiKey));
		await waitForCommand(del.command.id);
		const state = await runInDurableObject(stubOf(link.id), (_i: LinkDO, s) =>
			s.storage.sql.exec<{ state: string }>("SELECT state FROM uploads").one(),
		);
		expect(state.state).toBe("rejected");
		expect(await r2Keys(link.id)).toEqual([]);
		await expectClean(link.id);
	});

	for (const policy of ["recover", "reject"] as const) {
		it(`session expiry of a completed, never-finalized upload under ${policy}`, async () => {
			const { apiKey } = await createOwner();
			const { link, uploadUrl } = await createLink(apiKey, { lateFinalize: policy });
			const { session } = await uploaderFor(uploadUrl).init(10, { name: "s.txt" });
			await callSession(uploadUrl, session, "", { method: "PUT", body: bytesOf(10) });
			await runInDurableObject(stubOf(link.id), (_i: LinkDO, s) => {
				s.storage.sql.exec("UPDATE uploads SET expires_at = 0");
			});
			await fireTimers(link.id, ["sessions"]);
			const row = async () =>
				runInDurableObject(stubOf(link.id), (_i: LinkDO, s) =>
					s.storage.sql
						.exec<{ state: string; finalize_command_id: string | null }>(
							"SELECT state, finalize_command_id FROM uploads",
						)
						.one(),
				);
			if (policy === "recover") {
				const { finalize_command_id: id } = await row();
				expect(id).not.toBeNull();
				expect(await waitForCommand(id ?? "")).toMatchObject({
					actor: "system",
					status: "succeeded",
				});
				expect((await row()).state).toBe("finalized");
			} else {
				expect((await row()).state).toBe("rejected");
				expect(await r2Keys(link.id)).toEqual([]);
			}
			await expectClean(link.id);
		});
	}
});
