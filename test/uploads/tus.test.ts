/**
 * The tus 1.0 endpoint at /r/:linkId/tus/ over raw HTTP: discovery, creation
 * (with and without upload), PATCHes of any size cut into parts, offsets that
 * count only durable bytes, checksums, termination and the lifecycle answers.
 * (The unmodified tus-js-client runs against wrangler dev in test/e2e.)
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { LinkDO } from "../../src/do/link-do";
import { sha256Hex } from "../../src/lib/crypto";
import { hashOfSecret, tusUploadToken } from "../../src/lib/ids";
import { bytesOf, call, expectProblem, setFaults, stubOf, waitForCommand } from "../helpers";
import { create, expectDelivered, MiB, patch, sendAll, tusLink } from "./tus-kit";

describe("tus endpoint", () => {
	it("OPTIONS advertises the version, extensions, checksums and the link's size limit", async () => {
		const { headers, base } = await tusLink({ maxFileBytes: 1000 });
		const res = await call(base, { method: "OPTIONS", headers });
		expect(res.status).toBe(204);
		expect(res.headers.get("tus-version")).toBe("1.0.0");
		expect(res.headers.get("tus-extension")).toContain("creation-with-upload");
		expect(res.headers.get("tus-checksum-algorithm")).toBe("sha1,sha256");
		expect(res.headers.get("tus-max-size")).toBe("1000");
	});

	it("a CORS preflight allows the tus headers and exposes the answers a client reads", async () => {
		const { base } = await tusLink();
		const res = await call(base, {
			method: "OPTIONS",
			headers: {
				Origin: "https://uploader.example",
				"Access-Control-Request-Method": "POST",
				"Access-Control-Request-Headers": "link-secret,tus-resumable,upload-length,upload-metadata",
			},
		});
		expect(res.status).toBe(204);
		const allowed = (res.headers.get("access-control-allow-headers") ?? "").toLowerCase();
		for (const h of ["link-secret", "tus-resumable", "upload-length", "upload-metadata"])
			expect(allowed).toContain(h);
		const exposed = (res.headers.get("access-control-expose-headers") ?? "").toLowerCase();
		for (const h of ["location", "upload-offset", "upload-expires", "receive-link-command"])
			expect(exposed).toContain(h);
	});

	it("creation, small PATCHes of a small file, then finalize: the owner gets the bytes", async () => {
		const { linkId, headers, base } = await tusLink();
		const data = bytesOf(10);
		const created = await create(base, headers, data.byteLength);
		expect(created.status).toBe(201);
		const url = created.headers.get("location") ?? "";
		expect(url).toMatch(new RegExp(`/r/${linkId}/tus/upl_[0-9a-z]{20}$`));
		expect(created.headers.get("upload-expires")).toBeTruthy();
		const head = await call(new URL(url).pathname, { method: "HEAD", headers });
		expect(head.headers.get("upload-offset")).toBe("0");
		expect(head.headers.get("upload-length")).toBe("10");
		await expectDelivered(await sendAll(url, headers, data, 3), linkId, data);
	});

	it("PATCHes of 3 MiB of a 19 MiB file are cut into 8 MiB parts; offsets count durable bytes", async () => {
		const { linkId, headers, base } = await tusLink();
		const data = bytesOf(19 * MiB, 7);
		const url = (await create(base, headers, data.byteLength)).headers.get("location") ?? "";
		await expectDelivered(await sendAll(url, headers, data, 3 * MiB), linkId, data);
	});

	it("PATCHes of exactly one part stream straight to R2 (4 DO calls each); the file arrives whole", async () => {
		const { linkId, headers, base } = await tusLink();
		const data = bytesOf(17 * MiB, 11);
		const url = (await create(base, headers, data.byteLength)).headers.get("location") ?? "";
		const first = await patch(url, headers, 0, data.subarray(0, 8 * MiB));
		expect(first.status).toBe(204);
		// begin, admit, record, end: the part's own two around its R2 write, and the PATCH's two.
		expect(first.headers.get("server-timing")).toContain('desc="4 calls"');
		await expectDelivered(await sendAll(url, headers, data, 8 * MiB, 8 * MiB), linkId, data);
	});

	it("a link paused as the last part lands: HEAD is 423 until resume, then completes and finalizes", async () => {
		const { apiKey, linkId, headers, base } = await tusLink();
		const data = bytesOf(10, 5);
		const url = (await create(base, headers, data.byteLength)).headers.get("location") ?? "";
		// The pause applies as the part's record call arrives: the part is kept, the completion refused.
		await setFaults(linkId, { race: { kind: "pause", at: "record" } });
		await expectProblem(await patch(url, headers, 0, data), 423, "link-paused");
		const path = new URL(url).pathname;
		expect((await call(path, { method: "HEAD", headers })).status).toBe(423);
		const resumed = await call(`/api/links/${linkId}/resume`, {
			method: "POST",
			headers: { Authorization: `Bearer ${apiKey}` },
		});
		expect(resumed.status).toBe(200);
		const head = await call(path, { method: "HEAD", headers });
		expect(head.status).toBe(200);
		expect(head.headers.get("upload-offset")).toBe("10");
		await expectDelivered(head, linkId, data);
	});

	it("a stale PATCH (its hold ran out, another took over) changes nothing when it ends", async () => {
		const { linkId, headers, base } = await tusLink();
		const url = (await create(base, headers, 10)).headers.get("location") ?? "";
		const uploadId = url.split("/").pop() ?? "";
		const auth = {
			linkSecretHash: (await hashOfSecret(headers["Link-Secret"])) ?? "",
			uploadId,
			tokenHash: await sha256Hex(await tusUploadToken(env.LINK_ID_SECRET, uploadId)),
		};
		const stub = stubOf(linkId);
		const stale = await stub.tusBegin({ ...auth, offset: 0 });
		if (!stale.ok) throw new Error(JSON.stringify(stale));
		// Its hold runs out (as 60 s without a recorded part would): a second PATCH takes over.
		await runInDurableObject(stub, (_i: LinkDO, state) => {
			state.storage.sql.exec("UPDATE uploads SET tus_lock_until = 0");
		});
		const current = await stub.tusBegin({ ...auth, offset: 0 });
		if (!current.ok) throw new Error(JSON.stringify(current));
		expect(current.value.newRestKey).not.toBe(stale.value.newRestKey);
		// The stale PATCH wrote a remainder of its own and ends: nothing of it counts.
		await env.FILES.put(stale.value.newRestKey, bytesOf(4));
		const ended = await stub.tusEnd({
			uploadId,
			hold: stale.value.hold,
			offset: 4,
			restWritten: true,
			refused: false,
		});
		expect(ended).toMatchObject({ ok: true, value: { offset: 0 } });
		expect(await env.FILES.head(stale.value.newRestKey)).toBeNull();
		// The current holder still holds the upload: another PATCH is 423.
		await expectProblem(await patch(url, headers, 0, bytesOf(5)), 423, "upload-locked");
		await stub.tusEnd({
			uploadId,
			hold: current.value.hold,
			offset: 0,
			restWritten: false,
			refused: false,
		});
		expect((await patch(url, headers, 0, bytesOf(5))).status).toBe(204);
	});

	it("creation-with-upload sends everything in the POST", async () => {
		const { linkId, headers, base } = await tusLink();
		const data = bytesOf(9 * MiB, 3);
		const res = await create(base, headers, data.byteLength, {}, data);
		expect(res.status).toBe(201);
		expect(res.headers.get("upload-offset")).toBe(String(data.byteLength));
		await expectDelivered(res, linkId, data);
	});

	it("a creation carrying more bytes than Upload-Length is 400 and creates nothing", async () => {
		const { headers, base } = await tusLink();
		const res = await create(base, headers, 0, {}, bytesOf(3));
		await expectProblem(res, 400, "length-mismatch");
		const bigger = await create(base, headers, 2, {}, bytesOf(3));
		await expectProblem(bigger, 400, "length-mismatch");
	});

	it("an empty file completes at creation", async () => {
		const { linkId, headers, base } = await tusLink();
		const res = await create(base, headers, 0);
		expect(res.status).toBe(201);
		expect(res.headers.get("upload-offset")).toBe("0");
		await expectDelivered(res, linkId, new Uint8Array(0));
	});

	it("a wrong offset is 409, a missing Tus-Resumable 412, a wrong Link-Secret 404", async () => {
		const { headers, base } = await tusLink();
		const url = (await create(base, headers, 10)).headers.get("location") ?? "";
		await expectProblem(await patch(url, headers, 5, bytesOf(5)), 409, "upload-offset-mismatch");
		const { "Tus-Resumable": _, ...noVersion } = headers;
		await expectProblem(await patch(url, noVersion, 0, bytesOf(5)), 412, "tus-version-unsupported");
		const wrong = { ...headers, "Link-Secret": "A".repeat(43) };
		await expectProblem(await patch(url, wrong, 0, bytesOf(5)), 404, "link-not-found");
	});

	it("a PATCH whose bytes do not match Upload-Checksum is 460 and changes nothing", async () => {
		const { headers, base } = await tusLink();
		const url = (await create(base, headers, 10)).headers.get("location") ?? "";
		const data = bytesOf(5);
		const bad = await call(new URL(url).pathname, {
			method: "PATCH",
			headers: {
				...headers,
				"Content-Type": "application/offset+octet-stream",
				"Upload-Offset": "0",
				"Upload-Checksum": `sha1 ${btoa("x".repeat(20))}`,
			},
			body: data,
		});
		await expectProblem(bad, 460, "tus-checksum-mismatch");
		const head = await call(new URL(url).pathname, { method: "HEAD", headers });
		expect(head.headers.get("upload-offset")).toBe("0");
		const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", data));
		const good = await call(new URL(url).pathname, {
			method: "PATCH",
			headers: {
				...headers,
				"Content-Type": "application/offset+octet-stream",
				"Upload-Offset": "0",
				"Upload-Checksum": `sha1 ${btoa(String.fromCharCode(...digest))}`,
			},
			body: data,
		});
		expect(good.status).toBe(204);
		expect(good.headers.get("upload-offset")).toBe("5");
	});

	it("termination: DELETE is 204, then the upload is gone (410)", async () => {
		const { headers, base } = await tusLink();
		const url = (await create(base, headers, 10)).headers.get("location") ?? "";
		const del = await call(new URL(url).pathname, { method: "DELETE", headers });
		expect(del.status).toBe(204);
		// HEAD answers carry no body: the status says it.
		expect((await call(new URL(url).pathname, { method: "HEAD", headers })).status).toBe(410);
	});

	it("paused is 423 with Retry-After; revoked is 410", async () => {
		const { apiKey, linkId, headers, base } = await tusLink();
		const url = (await create(base, headers, 10)).headers.get("location") ?? "";
		await call(`/api/links/${linkId}/pause`, {
			method: "POST",
			headers: { Authorization: `Bearer ${apiKey}` },
		});
		const paused = await patch(url, headers, 0, bytesOf(5));
		await expectProblem(paused, 423, "link-paused");
		expect(paused.headers.get("retry-after")).toBeTruthy();
		await call(`/api/links/${linkId}/resume`, {
			method: "POST",
			headers: { Authorization: `Bearer ${apiKey}` },
		});
		const revoke = await call(`/api/links/${linkId}/revoke`, {
			method: "POST",
			headers: { Authorization: `Bearer ${apiKey}` },
		});
		const { command } = (await revoke.json()) as { command: { id: string } };
		await waitForCommand(command.id);
		await expectProblem(await patch(url, headers, 0, bytesOf(5)), 410, "link-revoked");
	});
});
