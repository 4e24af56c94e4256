/**
 * Issue 9, item 4: quota squatting. Anyone with the upload URL could reserve a
 * link's whole quota for 24 h with inits that never send a byte. The owner can
 * now abort any session (`DELETE /api/links/:linkId/uploads/:uploadId`), and a
 * session that makes no progress expires after the idle timeout
 * (`UPLOAD_IDLE_TIMEOUT_SECONDS`, 30 min by default), not 24 h.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { LinkDO } from "../../src/do/link-do";
import {
	ADMIN,
	bearer,
	bytesOf,
	call,
	callLink,
	createOwner,
	expectClean,
	expectProblem,
	fireTimers,
	initRaw,
	initUpload,
	openLink,
	r2Keys,
	stubOf,
	uploaderFor,
	waitForCommand,
} from "../helpers";
import { installFaults } from "../hooks";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

const ownerAbort = (linkId: string, uploadId: string, headers: Record<string, string>) =>
	call(`/api/links/${linkId}/uploads/${uploadId}`, { method: "DELETE", headers });

async function row(linkId: string, uploadId: string) {
	return runInDurableObject(stubOf(linkId), (_i: LinkDO, s) =>
		s.storage.sql
			.exec<{ state: string; expires_at: number; created_at: string }>(
				"SELECT state, expires_at, created_at FROM uploads WHERE id = ?",
				uploadId,
			)
			.one(),
	);
}

describe("the owner aborts upload sessions", () => {
	it("two 5 GiB inits squat a 10 GiB link; the owner aborts one and the quota is free again", async () => {
		const { apiKey, linkId, uploadUrl } = await openLink({ maxTotalBytes: 10 * GiB });
		const a = await initUpload(uploadUrl, { name: "a.bin", size: 5 * GiB });
		await initUpload(uploadUrl, { name: "b.bin", size: 5 * GiB });
		await expectProblem(
			await initRaw(uploadUrl, { name: "c.bin", size: 1 * GiB }),
			409,
			"quota-exceeded",
		);
		expect((await ownerAbort(linkId, a.upload.id, bearer(apiKey))).status).toBe(204);
		// Idempotent.
		expect((await ownerAbort(linkId, a.upload.id, bearer(apiKey))).status).toBe(204);
		expect((await initRaw(uploadUrl, { name: "c.bin", size: 1 * GiB })).status).toBe(201);
		// The uploader's session is gone: its writes are 410.
		await expectProblem(
			await callLink(uploadUrl, `/uploads/${a.upload.id}/parts/1`, {
				method: "PUT",
				headers: { "Upload-Token": a.uploadToken },
				body: bytesOf(1),
			}),
			410,
			"upload-aborted",
		);
		expect((await row(linkId, a.upload.id)).state).toBe("aborted");
	});

	it("removes the bytes and the multipart upload of a session with progress", async () => {
		const { linkId, uploadUrl } = await openLink({ maxFiles: 1 });
		const { upload, uploadToken } = await initUpload(uploadUrl, { name: "a.bin", size: 9 * MiB });
		const part = await callLink(uploadUrl, `/uploads/${upload.id}/parts/1`, {
			method: "PUT",
			headers: { "Upload-Token": uploadToken },
			body: bytesOf(8 * MiB),
		});
		expect(part.status).toBe(200);
		expect((await ownerAbort(linkId, upload.id, ADMIN)).status).toBe(204);
		await expectProblem(
			await callLink(uploadUrl, `/uploads/${upload.id}/parts/2`, {
				method: "PUT",
				headers: { "Upload-Token": uploadToken },
				body: bytesOf(1 * MiB),
			}),
			410,
			"upload-aborted",
		);
		expect(await r2Keys(linkId)).toEqual([]);
		expect((await initRaw(uploadUrl, { name: "x.txt", size: 1 })).status).toBe(201);
		await expectClean(linkId);
	});

	it("404 for another owner's link or an unknown upload; 409 for a finalized file", async () => {
		const { apiKey, linkId, uploadUrl } = await openLink();
		const other = await createOwner("Other");
		const { upload } = await initUpload(uploadUrl, { name: "a.bin", size: 3 });
		await expectProblem(
			await ownerAbort(linkId, upload.id, bearer(other.apiKey)),
			404,
			"link-not-found",
		);
		expect((await row(linkId, upload.id)).state).toBe("open");
		await expectProblem(
			await ownerAbort(linkId, "upl_00000000000000000000", bearer(apiKey)),
			404,
			"upload-not-found",
		);
		const done = await uploaderFor(uploadUrl).upload(bytesOf(5), { name: "f.bin" });
		expect(done.command.status).toBe("succeeded");
		await expectProblem(
			await ownerAbort(linkId, done.upload.id, bearer(apiKey)),
			409,
			"upload-state-conflict",
		);
		await expectProblem(await ownerAbort(linkId, upload.id, {}), 401, "unauthorized");
	});
});

describe("idle upload sessions expire", () => {
	it("a new session expires after the idle timeout, not 24 h", async () => {
		const { linkId, uploadUrl } = await openLink();
		const before = Date.now();
		const { upload } = await initUpload(uploadUrl, { name: "a.bin", size: 3 });
		const expires = Date.parse(upload.expiresAt);
		expect(expires).toBeGreaterThanOrEqual(before + 30 * 60 * 1000);
		expect(expires).toBeLessThanOrEqual(Date.now() + 30 * 60 * 1000);
		expect((await row(linkId, upload.id)).expires_at).toBe(expires);
	});

	it("the sessions alarm aborts a session with no progress; one that made progress lives on", async () => {
		const { linkId, uploadUrl } = await openLink({ maxFiles: 2 });
		const idle = await initUpload(uploadUrl, { name: "idle.bin", size: 9 * MiB });
		const busy = await initUpload(uploadUrl, { name: "busy.bin", size: 9 * MiB });
		// Both sessions' idle windows have run out (as if 30 min passed without a byte)...
		await runInDurableObject(stubOf(linkId), (_i: LinkDO, s) => {
			s.storage.sql.exec("UPDATE uploads SET expires_at = ?", Date.now() - 1);
		});
		// ...but one now makes progress: recording a part pushes its expiry forward.
		const part = await callLink(uploadUrl, `/uploads/${busy.upload.id}/parts/1`, {
			method: "PUT",
			headers: { "Upload-Token": busy.uploadToken },
			body: bytesOf(8 * MiB),
		});
		expect(part.status).toBe(200);
		const pushed = (await row(linkId, busy.upload.id)).expires_at;
		expect(pushed).toBeGreaterThan(Date.now() + 29 * 60 * 1000);
		await fireTimers(linkId, ["sessions"]);
		expect((await row(linkId, idle.upload.id)).state).toBe("aborted");
		expect((await row(linkId, busy.upload.id)).state).toBe("open");
		// The idle one's reservation is released: a new init fits under maxFiles 2.
		expect((await initRaw(uploadUrl, { name: "x.txt", size: 1 })).status).toBe(201);
		// The busy one completes and is finalized as usual.
		const last = await callLink(uploadUrl, `/uploads/${busy.upload.id}/parts/2`, {
			method: "PUT",
			headers: { "Upload-Token": busy.uploadToken },
			body: bytesOf(1 * MiB),
		});
		expect(last.status).toBe(200);
		const done = await callLink(uploadUrl, `/uploads/${busy.upload.id}/complete`, {
			method: "POST",
			headers: { "Upload-Token": busy.uploadToken },
		});
		expect(done.status).toBe(200);
		const fin = await callLink(uploadUrl, `/uploads/${busy.upload.id}/finalize`, {
			method: "POST",
			headers: { "Upload-Token": busy.uploadToken },
		});
		const { command } = (await fin.json()) as { command: { id: string } };
		expect((await waitForCommand(command.id)).status).toBe("succeeded");
	});

	it("progress never pushes the expiry past 24 h from creation", async () => {
		const { linkId, uploadUrl } = await openLink();
		const { upload, uploadToken } = await initUpload(uploadUrl, { name: "a.bin", size: 9 * MiB });
		// The session was created 23h50m ago: the cap is 10 minutes away, closer than the idle window.
		const created = Date.now() - (24 * 60 - 10) * 60 * 1000;
		await runInDurableObject(stubOf(linkId), (_i: LinkDO, s) => {
			s.storage.sql.exec(
				"UPDATE uploads SET created_at = ?, expires_at = ?",
				new Date(created).toISOString(),
				Date.now() + 60_000,
			);
		});
		const part = await callLink(uploadUrl, `/uploads/${upload.id}/parts/1`, {
			method: "PUT",
			headers: { "Upload-Token": uploadToken },
			body: bytesOf(8 * MiB),
		});
		expect(part.status).toBe(200);
		expect((await row(linkId, upload.id)).expires_at).toBe(created + 24 * 60 * 60 * 1000);
	});

	it("a session that completes while the alarm ends another is judged afresh, not aborted", async () => {
		const { linkId, uploadUrl } = await openLink();
		const first = await initUpload(uploadUrl, { name: "first.txt", size: 3 });
		const second = await initUpload(uploadUrl, { name: "second.txt", size: 3 });
		await runInDurableObject(stubOf(linkId), (instance: LinkDO, s) => {
			// Both idle windows ran out, the first one's earlier.
			s.storage.sql.exec("UPDATE uploads SET expires_at = ? WHERE id = ?", 1, first.upload.id);
			s.storage.sql.exec("UPDATE uploads SET expires_at = ? WHERE id = ?", 2, second.upload.id);
			const hash = (q: string, ...p: string[]) =>
				s.storage.sql.exec<{ h: string }>(q, ...p).one().h;
			const auth = {
				linkSecretHash: hash("SELECT token_hash AS h FROM link"),
				uploadId: second.upload.id,
				tokenHash: hash("SELECT token_hash AS h FROM uploads WHERE id = ?", second.upload.id),
			};
			// While the alarm removes the first session's bytes, the second one's PUT lands.
			installFaults(instance, {
				pauseAt: {
					at: "expired-session",
					run: async () => {
						const grant = await instance.admitWrite({ ...auth, op: "single-put" });
						if (!grant.ok) throw new Error(grant.problem.code);
						const object = await env.FILES.put(grant.value.key, bytesOf(3));
						const outcome = { ok: true as const, etag: object?.etag ?? "", size: 3 };
						await instance.recordWrite({ uploadId: auth.uploadId, op: "single-put", outcome });
					},
				},
			});
		});
		await fireTimers(linkId, ["sessions"]);
		expect((await row(linkId, first.upload.id)).state).toBe("aborted");
		expect((await row(linkId, second.upload.id)).state).toBe("completed");
		expect(await r2Keys(linkId)).toEqual([`links/${linkId}/uploads/${second.upload.id}`]);
	});

	it("a sessions alarm that throws is not lost: its timer comes back and the rest is expired", async () => {
		const { linkId, uploadUrl } = await openLink();
		const first = await initUpload(uploadUrl, { name: "first.txt", size: 3 });
		const second = await initUpload(uploadUrl, { name: "second.txt", size: 3 });
		await runInDurableObject(stubOf(linkId), (instance: LinkDO, s) => {
			s.storage.sql.exec("UPDATE uploads SET expires_at = ? WHERE id = ?", 1, first.upload.id);
			s.storage.sql.exec("UPDATE uploads SET expires_at = ? WHERE id = ?", 2, second.upload.id);
			// The alarm fails right after ending the first session.
			installFaults(instance, {
				pauseAt: {
					at: "expired-session",
					run: async () => {
						throw new Error("injected failure in the sessions alarm");
					},
				},
			});
		});
		await fireTimers(linkId, ["sessions"]);
		expect((await row(linkId, first.upload.id)).state).toBe("aborted");
		expect((await row(linkId, second.upload.id)).state).toBe("open");
		const retry = await runInDurableObject(stubOf(linkId), (_i: LinkDO, s) =>
			s.storage.sql
				.exec<{ due_at: number }>("SELECT due_at FROM timers WHERE name = 'sessions'")
				.one(),
		);
		expect(retry.due_at).toBeGreaterThan(Date.now());
		await fireTimers(linkId, ["sessions"]);
		expect((await row(linkId, second.upload.id)).state).toBe("aborted");
	});
});
