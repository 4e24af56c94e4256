import { describe, expect, it } from "vitest";
import {
	bearer,
	bodyOf,
	type CommandBody,
	call,
	callLink,
	createLink,
	createOwner,
	expectProblem,
	issue,
	type LinkBody,
	readLink,
	sendJson,
	waitForCommand,
} from "../helpers";

async function accepted(
	res: Response,
): Promise<{ command: CommandBody; retryToken: string; statusUrl: string }> {
	expect(res.status).toBe(202);
	const body = await bodyOf<{ command: CommandBody; retryToken: string; statusUrl: string }>(res);
	expect(res.headers.get("location")).toBe(`/api/commands/${body.command.id}`);
	expect(res.headers.get("retry-after")).toMatch(/^[0-9]+$/);
	expect(res.headers.get("retry-token")).toBe(body.retryToken);
	expect(body.statusUrl).toBe(`/api/commands/${body.command.id}`);
	return body;
}

describe("revoke and delete through the real queue", () => {
	it("revoke: 202, then the command reaches succeeded and the link is revoked at epoch +1", async () => {
		const { apiKey } = await createOwner();
		const { link, uploadUrl } = await createLink(apiKey);
		await call(`/api/links/${link.id}/pause`, { method: "POST", headers: bearer(apiKey) });
		const { command } = await accepted(await issue("revoke", link.id, apiKey));
		expect(command).toMatchObject({ kind: "revoke", seq: 1, acceptedEpoch: 2 });
		const done = await waitForCommand(command.id);
		expect(done).toMatchObject({ status: "succeeded", appliedEpoch: 3, result: "revoked" });
		expect(done.steps.every((s) => s.done)).toBe(true);
		const now = await bodyOf<{ link: LinkBody }>(await readLink(link.id));
		expect(now.link).toMatchObject({
			state: "revoked",
			epoch: 3,
			terminalEpoch: 3,
			closing: false,
			pendingCommands: [],
		});

		// A revoked link's capability URL never works again; lifecycle calls get 410.
		await expectProblem(await callLink(uploadUrl, ``), 410, "link-revoked");
		for (const op of ["pause", "resume"]) {
			await expectProblem(
				await call(`/api/links/${link.id}/${op}`, { method: "POST", headers: bearer(apiKey) }),
				410,
				"link-revoked",
			);
		}
		await expectProblem(
			await sendJson("PATCH", `/api/links/${link.id}`, { title: "x" }, bearer(apiKey)),
			410,
			"link-revoked",
		);
		await expectProblem(await issue("revoke", link.id, apiKey), 410, "link-revoked");
		// The owner still reads it and its history.
		const history = await bodyOf<{ items: CommandBody[] }>(
			await call(`/api/links/${link.id}/commands`, { headers: bearer(apiKey) }),
		);
		expect(history.items.map((c) => c.id)).toEqual([command.id]);
	});

	it("delete of a revoked link is accepted, applies, and leaves a tombstone answering 410", async () => {
		const { apiKey } = await createOwner();
		const { link, uploadUrl } = await createLink(apiKey);
		const revoke = await accepted(await issue("revoke", link.id, apiKey));
		await waitForCommand(revoke.command.id);
		const del = await accepted(
			await issue("delete", link.id, apiKey, { "Idempotency-Key": "del-1" }),
		);
		expect(del.command.seq).toBe(2);
		const done = await waitForCommand(del.command.id);
		expect(done).toMatchObject({ status: "succeeded", appliedEpoch: 3, result: "deleted" });

		await expectProblem(await readLink(link.id), 410, "link-deleted");
		await expectProblem(await callLink(uploadUrl, ``), 410, "link-deleted");
		await expectProblem(
			await call(`/api/links/${link.id}/pause`, { method: "POST", headers: bearer(apiKey) }),
			410,
			"link-deleted",
		);
		// A new delete is 410; the same Idempotency-Key replays the original 202.
		await expectProblem(await issue("delete", link.id, apiKey), 410, "link-deleted");
		const replay = await accepted(
			await issue("delete", link.id, apiKey, { "Idempotency-Key": "del-1" }),
		);
		expect(replay.command).toMatchObject({ id: del.command.id, status: "succeeded" });
		// The command's status monitor outlives the link.
		expect((await waitForCommand(del.command.id)).status).toBe("succeeded");
	});

	it("delete of an active link purges its R2 prefix", async () => {
		const { env } = await import("cloudflare:workers");
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey);
		for (let i = 0; i < 3; i++) await env.FILES.put(`links/${link.id}/uploads/u${i}`, "bytes");
		await env.FILES.put("links/lnk_someoneelse0000000000/uploads/keep", "other link");
		const { command } = await accepted(await issue("delete", link.id, apiKey));
		await waitForCommand(command.id);
		expect((await env.FILES.list({ prefix: `links/${link.id}/` })).objects).toHaveLength(0);
		expect(await env.FILES.head("links/lnk_someoneelse0000000000/uploads/keep")).not.toBeNull();
	});

	it("keeps the D1 index in step: closing while pending, the terminal state after", async () => {
		const { env } = await import("cloudflare:workers");
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey);
		const { command } = await accepted(await issue("revoke", link.id, apiKey));
		await waitForCommand(command.id);
		const row = await env.DB.prepare("SELECT state, epoch, closing FROM links WHERE id = ?")
			.bind(link.id)
			.first();
		expect(row).toEqual({ state: "revoked", epoch: 2, closing: 0 });
	});
});

describe("idempotency and optimistic concurrency", () => {
	it("same Idempotency-Key and request: the same command; different request: 422", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey);
		const a = await accepted(await issue("revoke", link.id, apiKey, { "Idempotency-Key": "k1" }));
		const b = await accepted(await issue("revoke", link.id, apiKey, { "Idempotency-Key": "k1" }));
		expect(b.command.id).toBe(a.command.id);
		await expectProblem(
			await issue("delete", link.id, apiKey, { "Idempotency-Key": "k1" }),
			422,
			"idempotency-key-reused",
		);
		await expectProblem(
			await issue("delete", link.id, apiKey, { "Idempotency-Key": "bad key with spaces" }),
			400,
			"invalid-idempotency-key",
		);
		await waitForCommand(a.command.id);
	});

	it("a stale If-Match on revoke is 412 and accepts nothing", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey);
		await call(`/api/links/${link.id}/pause`, { method: "POST", headers: bearer(apiKey) });
		await expectProblem(
			await issue("revoke", link.id, apiKey, { "If-Match": '"1"' }),
			412,
			"epoch-mismatch",
		);
		const now = await bodyOf<{ link: LinkBody }>(await readLink(link.id));
		expect(now.link).toMatchObject({ state: "paused", closing: false, pendingCommands: [] });
		const ok = await accepted(await issue("revoke", link.id, apiKey, { "If-Match": '"2"' }));
		await waitForCommand(ok.command.id);
	});

	it("another owner gets 404 for revoke, delete and command status", async () => {
		const a = await createOwner();
		const b = await createOwner();
		const { link } = await createLink(a.apiKey);
		await expectProblem(await issue("revoke", link.id, b.apiKey), 404, "link-not-found");
		await expectProblem(await issue("delete", link.id, b.apiKey), 404, "link-not-found");
		const { command } = await accepted(await issue("revoke", link.id, a.apiKey));
		await expectProblem(
			await call(`/api/commands/${command.id}`, { headers: bearer(b.apiKey) }),
			404,
			"command-not-found",
		);
		const mine = await call(`/api/commands/${command.id}`, { headers: bearer(a.apiKey) });
		expect(mine.status).toBe(200);
		await waitForCommand(command.id);
	});
});
