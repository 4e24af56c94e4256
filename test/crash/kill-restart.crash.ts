/**
 * Crash recovery (docs/operations.md): the real service under `wrangler dev`
 * is killed with `kill -9` (its whole process group: wrangler and workerd)
 * while five kinds of work are half done, restarted on the same persisted
 * state, and must converge by itself:
 *
 * - A: a revoke accepted, its queue message never delivered (sends failing);
 * - B: a delete whose transition is committed and whose cleanup is half done
 *   (the purge of its R2 objects failing, waiting for its retry);
 * - C: a multipart upload with two parts recorded and two in flight, cut by
 *   the kill; the uploader resumes from the recorded parts;
 * - D: a finalize accepted, its message never delivered;
 * - E: a webhook event recorded, never sent (event sends failing).
 *
 * Local queues live in memory: the kill loses every queued message, so what
 * converges is what the Durable Objects kept (outbox, steps, events) and the
 * alarms they persisted. Faults are test hooks in the objects' memory: the
 * kill clears them. The times from "restart answered" to each convergence are
 * printed (and kept in docs/operations.md).
 */
import { createHash, randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { sleep } from "../../scripts/lib/dev-server.ts";
import { type Receiver, startReceiver } from "../../scripts/lib/webhook-receiver.ts";
import {
	FINAL_COMMAND_STATUSES,
	type OwnerClient,
	parseUploadUrl,
	UploaderClient,
} from "../../src/client/index.ts";
import { CrashService } from "./service.ts";

const MiB = 1024 * 1024;
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** Polls `check` every 100 ms until it answers true; the ms it took. `explain` says why not. */
async function until(
	what: string,
	check: () => Promise<boolean>,
	explain: () => Promise<unknown> = async () => null,
	timeoutMs = 90_000,
) {
	const started = Date.now();
	for (;;) {
		try {
			if (await check()) return Date.now() - started;
		} catch {
			// not yet (the service may still be starting its objects)
		}
		if (Date.now() - started > timeoutMs) {
			const why = await explain().catch((e) => String(e));
			throw new Error(`${what}: not converged in ${timeoutMs} ms: ${JSON.stringify(why)}`);
		}
		await sleep(100);
	}
}

/**
 * A part PUT that sends its headers and the first `sent` bytes, then stalls:
 * in flight when the process dies. Resolves with the error the kill causes.
 */
function stalledPart(url: string, headers: Record<string, string>, length: number, sent: number) {
	return new Promise<string>((resolve) => {
		const req = httpRequest(url, {
			method: "PUT",
			headers: { ...headers, "Content-Length": String(length) },
		});
		req.on("error", (e) => resolve(e.message));
		req.on("response", (res) => resolve(`answered ${res.statusCode}`));
		req.write(randomBytes(sent));
	});
}

describe("kill -9 with work half done, then restart on the same state", () => {
	const svc = new CrashService();
	let receiver: Receiver | null = null;

	afterAll(async () => {
		await svc.stop();
		await receiver?.close();
		const leaks = svc.cleanup();
		if (leaks) throw new Error(leaks);
	});

	it("every accepted command reaches a final status, files are intact, audits clean, the upload resumes", async () => {
		await svc.start();
		const admin = svc.admin();
		const created = await admin.createOwner("crash owner", "crash@example.test");
		const api: OwnerClient = admin.as({ apiKey: created.apiKey });
		receiver = await startReceiver();
		const hook = await api.createWebhook({ url: receiver.url("/crash") });
		receiver.trust("/crash", hook.secret);
		const uploader = (url: string, fetchImpl?: typeof fetch) =>
			new UploaderClient(url, {
				baseUrl: svc.baseUrl,
				pollMs: 100,
				...(fetchImpl ? { fetch: fetchImpl } : {}),
			});

		// A: a revoke accepted, never delivered.
		const A = await api.createLink({ title: "A revoke in the outbox" });
		await svc.faults(A.link.id, { failSend: 1000 });
		const revokeA = await api.revoke(A.link.id);
		expect((await api.getCommand(revokeA.command.id)).status).toBe("accepted");

		// C: a multipart upload, parts 1-2 recorded, 3-4 in flight at the kill.
		const C = await api.createLink({ title: "Parts in flight" });
		const dataC = new Uint8Array(randomBytes(36 * MiB));
		const clientC = uploader(C.uploadUrl);
		const init = await clientC.init(dataC.length, { name: "c.bin" });
		expect(init.upload.mode).toBe("multipart");
		await clientC.putPart(init.session, init.upload, dataC, 1);
		await clientC.putPart(init.session, init.upload, dataC, 2);
		const { secret: secretC } = parseUploadUrl(C.uploadUrl);
		const partUrl = (n: number) =>
			`${svc.baseUrl}/r/${C.link.id}/uploads/${init.session.uploadId}/parts/${n}`;
		const partHeaders = { "Link-Secret": secretC, "Upload-Token": init.session.uploadToken };
		const inFlight = [3, 4].map((n) => stalledPart(partUrl(n), partHeaders, 8 * MiB, 1 * MiB));

		// D: a finalize accepted, never delivered.
		const D = await api.createLink({ title: "A finalize in the outbox" });
		const dataD = new Uint8Array(randomBytes(200_000));
		const clientD = uploader(D.uploadUrl);
		const initD = await clientD.init(dataD.length, { name: "d.bin" });
		await clientD.putSingle(initD.session, dataD);
		await svc.faults(D.link.id, { failSend: 1000 });
		const finalizeD = await clientD.finalize(initD.session);

		// E: a webhook event recorded, never sent.
		const E = await api.createLink({ title: "An event in the outbox" });
		await svc.faults(E.link.id, { failEventSend: 1000 });
		await api.pause(E.link.id);

		// B: a delete half way through its cleanup, with received files in R2 (last:
		// its retries must not exhaust the queue's before the kill).
		const B = await api.createLink({ title: "A delete half done" });
		const filesB = [randomBytes(3000), randomBytes(70_000), randomBytes(1)];
		await Promise.all(
			filesB.map((data, i) => uploader(B.uploadUrl).upload(data, { name: `b-${i}.bin` })),
		);
		await svc.faults(B.link.id, { failStep: { "purge-objects": 1000 } });
		const deleteB = await api.delete(B.link.id);
		const applying = await api.waitForCommand(deleteB.command.id, {
			statuses: ["applying"],
			pollMs: 50,
		});
		expect(applying.steps.find((s) => s.name === "purge-objects")?.done).toBe(false);

		await sleep(300); // the stalled parts reach the Worker
		await svc.kill();
		const cut = await Promise.all(inFlight);
		expect(cut.every((e) => !e.startsWith("answered"))).toBe(true);

		const restartMs = await svc.start();
		const api2 = svc.admin().as({ apiKey: created.apiKey });
		const admin2 = svc.admin();
		const final = async (id: string) =>
			(FINAL_COMMAND_STATUSES as readonly string[]).includes((await api2.getCommand(id)).status);
		const command = (id: string) => () => api2.getCommand(id);

		const times = await Promise.all([
			until("A: revoke final", () => final(revokeA.command.id), command(revokeA.command.id)),
			until("B: delete final", () => final(deleteB.command.id), command(deleteB.command.id)),
			(async () => {
				// C: the uploader resumes from the server's ledger: only the parts it lacks.
				const sent: string[] = [];
				const counting: typeof fetch = (input, init) => {
					if (init?.method === "PUT") sent.push(String(input).replace(/^.*\/parts\//, ""));
					return fetch(input, init);
				};
				const resumed = uploader(C.uploadUrl, counting);
				const started = Date.now();
				const before = await resumed.status(init.session);
				expect(before.parts.map((p) => p.partNumber).sort()).toEqual([1, 2]);
				const result = await resumed.resume(init.session, dataC);
				expect(result.command.status).toBe("succeeded");
				expect(sent.sort()).toEqual(["3", "4", "5"]);
				return Date.now() - started;
			})(),
			until("D: finalize final", () => final(finalizeD.command.id), command(finalizeD.command.id)),
			until("E: event delivered", async () =>
				(receiver as Receiver)
					.deliveries("/crash")
					.some(
						(d) =>
							d.verifiedBy >= 0 && d.body.includes(E.link.id) && d.body.includes("link.paused"),
					),
			),
		]);

		// Outcomes: each command succeeded, files intact, every link's audit clean.
		for (const id of [revokeA.command.id, deleteB.command.id, finalizeD.command.id])
			expect((await api2.getCommand(id)).status).toBe("succeeded");
		expect((await api2.getLink(A.link.id)).link.state).toBe("revoked");
		for (const [link, data] of [
			[C.link.id, dataC],
			[D.link.id, dataD],
		] as const) {
			const files = await api2.listFiles(link);
			expect(files.items).toHaveLength(1);
			const res = await api2.download(files.items[0]?.downloadUrl ?? "");
			expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(sha256(data));
		}
		for (const link of [A.link.id, B.link.id, C.link.id, D.link.id, E.link.id]) {
			const report = await admin2.audit(link, { sweep: true });
			expect(report, `audit of ${link}`).toEqual({ linkId: link, settled: true, violations: [] });
		}
		const names = ["A revoke", "B delete", "C upload resumed", "D finalize", "E webhook event"];
		console.log(
			`crash: restart answered in ${restartMs} ms; then converged: ${names.map((n, i) => `${n} ${times[i]} ms`).join(", ")}`,
		);
	});
});
