/**
 * Regression tests, each named after the bug it pins down.
 */
import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/lib/crypto";
import { parseLinkToken } from "../../src/lib/ids";
import { bytesOf, createLink, createOwner, r2Keys, stubOf, uploaderFor } from "../helpers";

async function session(settings: Record<string, unknown> = {}) {
	const { apiKey } = await createOwner();
	const { link, linkToken } = await createLink(apiKey, settings);
	const { session } = await uploaderFor(linkToken).init(10, { name: "a.txt" });
	const parsed = await parseLinkToken(linkToken);
	const auth = {
		linkSecretHash: parsed?.secretHash ?? "",
		uploadId: session.uploadId,
		tokenHash: await sha256Hex(session.uploadToken),
	};
	return { link, linkToken, session, auth, stub: stubOf(link.id) };
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
