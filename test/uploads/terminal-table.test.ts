/**
 * The terminal-state table for the uploader's operations, row by row, over
 * HTTP (docs/lifecycle.md#uploader-operations-phase-by-phase): what init,
 * single PUT, part PUT, complete, abort, finalize and status get in each
 * phase. Expected values are transcribed from the docs, not from src/domain.
 */
import { describe, expect, it } from "vitest";
import {
	bearer,
	bodyOf,
	bytesOf,
	type CommandBody,
	call,
	callLink,
	callSession,
	createLink,
	createOwner,
	expectProblem,
	issue,
	sendSmall,
	setFaults,
	uploaderFor,
	waitForCommand,
} from "../helpers";

const MiB = 1024 * 1024;
type Phase = "paused" | "closing" | "revoked" | "deleted";
type Op =
	| "init"
	| "small"
	| "single-put"
	| "part-put"
	| "complete"
	| "abort"
	| "finalize"
	| "status";

const EXPECTED: Record<Op, Record<Phase, [number, string?]>> = {
	init: {
		paused: [423, "link-paused"],
		closing: [423, "link-closing"],
		revoked: [410, "link-revoked"],
		deleted: [410, "link-deleted"],
	},
	// The one-request upload (POST /files) answers as an init does.
	small: {
		paused: [423, "link-paused"],
		closing: [423, "link-closing"],
		revoked: [410, "link-revoked"],
		deleted: [410, "link-deleted"],
	},
	"single-put": {
		paused: [423, "link-paused"],
		closing: [423, "link-closing"],
		revoked: [410, "link-revoked"],
		deleted: [410, "link-deleted"],
	},
	"part-put": {
		paused: [423, "link-paused"],
		closing: [423, "link-closing"],
		revoked: [410, "link-revoked"],
		deleted: [410, "link-deleted"],
	},
	complete: {
		paused: [423, "link-paused"],
		closing: [423, "link-closing"],
		revoked: [410, "link-revoked"],
		deleted: [410, "link-deleted"],
	},
	abort: {
		paused: [204],
		closing: [204],
		revoked: [410, "link-revoked"],
		deleted: [410, "link-deleted"],
	},
	// After revoke, a finalization-pending upload is recovered (default policy): 202.
	finalize: { paused: [202], closing: [202], revoked: [202], deleted: [410, "link-deleted"] },
	status: { paused: [200], closing: [200], revoked: [200], deleted: [410, "link-deleted"] },
};

/** A link with sessions in every state an operation needs, then driven into `phase`. */
async function linkIn(phase: Phase) {
	const { apiKey } = await createOwner();
	const { link, uploadUrl } = await createLink(apiKey);
	const client = uploaderFor(uploadUrl);
	const single = (await client.init(10, { name: "open.txt" })).session;
	const toAbort = (await client.init(10, { name: "abort.txt" })).session;
	const multi = (await client.init(9 * MiB, { name: "parts.bin" })).session;
	for (const [n, size] of [
		[1, 8 * MiB],
		[2, MiB],
	] as const) {
		const res = await callSession(uploadUrl, multi, `/parts/${n}`, {
			method: "PUT",
			body: bytesOf(size),
		});
		expect(res.status).toBe(200);
	}
	const done = (await client.init(10, { name: "done.txt" })).session;
	const put = await callSession(uploadUrl, done, "", { method: "PUT", body: bytesOf(10) });
	expect(put.status).toBe(200);
	if (phase === "paused") {
		expect(
			(await call(`/api/links/${link.id}/pause`, { method: "POST", headers: bearer(apiKey) }))
				.status,
		).toBe(200);
	} else {
		if (phase === "closing") await setFaults(link.id, { failSend: 1_000 });
		const kind = phase === "deleted" ? "delete" : "revoke";
		const { command } = await bodyOf<{ command: CommandBody }>(await issue(kind, link.id, apiKey));
		if (phase !== "closing") await waitForCommand(command.id);
	}
	const h = (s: { uploadToken: string }) => ({ "Upload-Token": s.uploadToken });
	const base = `/uploads`;
	const ops: Record<Op, () => Promise<Response>> = {
		init: () =>
			callLink(uploadUrl, base, {
				method: "POST",
				headers: { "Content-Type": "application/json" },
				body: JSON.stringify({ name: "n.txt", size: 1 }),
			}),
		small: () => sendSmall(uploadUrl, bytesOf(10), { filename: "one.txt" }),
		"single-put": () =>
			callLink(uploadUrl, `${base}/${single.uploadId}`, {
				method: "PUT",
				headers: h(single),
				body: bytesOf(10),
			}),
		"part-put": () =>
			callLink(uploadUrl, `${base}/${multi.uploadId}/parts/2`, {
				method: "PUT",
				headers: h(multi),
				body: bytesOf(MiB),
			}),
		complete: () =>
			callLink(uploadUrl, `${base}/${multi.uploadId}/complete`, {
				method: "POST",
				headers: h(multi),
			}),
		abort: () =>
			callLink(uploadUrl, `${base}/${toAbort.uploadId}`, { method: "DELETE", headers: h(toAbort) }),
		finalize: () =>
			callLink(uploadUrl, `${base}/${done.uploadId}/finalize`, {
				method: "POST",
				headers: h(done),
			}),
		status: () => callLink(uploadUrl, `${base}/${done.uploadId}`, { headers: h(done) }),
	};
	return ops;
}

describe("terminal-state table for uploader operations", () => {
	for (const phase of ["paused", "closing", "revoked", "deleted"] as const) {
		it(`answers every operation per the table while ${phase}`, async () => {
			const ops = await linkIn(phase);
			for (const op of Object.keys(EXPECTED) as Op[]) {
				const [status, code] = EXPECTED[op][phase];
				const res = await ops[op]();
				if (code) {
					const p = await expectProblem(res, status, code);
					if (op === "small" && status === 423)
						expect(res.headers.get("retry-after"), op).toMatch(/^[0-9]+$/);
					if (code === "link-closing") {
						expect(res.headers.get("retry-after"), op).toMatch(/^[0-9]+$/);
						expect(p.retryable, op).toBe(true);
					}
				} else {
					expect(res.status, `${op} while ${phase}: ${await res.clone().text()}`).toBe(status);
				}
			}
		});
	}

	it("after revoke, finalize of an upload that never completed is 410", async () => {
		const { apiKey } = await createOwner();
		const { link, uploadUrl } = await createLink(apiKey);
		const { session } = await uploaderFor(uploadUrl).init(10, { name: "never.txt" });
		const { command } = await bodyOf<{ command: CommandBody }>(
			await issue("revoke", link.id, apiKey),
		);
		await waitForCommand(command.id);
		const res = await callSession(uploadUrl, session, "/finalize", { method: "POST" });
		await expectProblem(res, 410, "link-revoked");
		const status = await bodyOf<{ upload: { state: string } }>(
			await callSession(uploadUrl, session),
		);
		expect(status.upload.state).toBe("aborted");
	});

	it("the client waits out 423 link-paused and finishes after resume", async () => {
		const { apiKey } = await createOwner();
		const { link, uploadUrl } = await createLink(apiKey);
		await call(`/api/links/${link.id}/pause`, { method: "POST", headers: bearer(apiKey) });
		const pending = uploaderFor(uploadUrl).upload(bytesOf(100), { name: "wait.txt" });
		await new Promise((r) => setTimeout(r, 150));
		await call(`/api/links/${link.id}/resume`, { method: "POST", headers: bearer(apiKey) });
		const result = await pending;
		expect(result.command.status).toBe("succeeded");
	});

	it("the client stops on 410 with a LinkGoneError", async () => {
		const { apiKey } = await createOwner();
		const { link, uploadUrl } = await createLink(apiKey);
		const { command } = await bodyOf<{ command: CommandBody }>(
			await issue("revoke", link.id, apiKey),
		);
		await waitForCommand(command.id);
		await expect(
			uploaderFor(uploadUrl).upload(bytesOf(5), { name: "late.txt" }),
		).rejects.toMatchObject({
			name: "LinkGoneError",
			code: "link-revoked",
			status: 410,
		});
	});
});
