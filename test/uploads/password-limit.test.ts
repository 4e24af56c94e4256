/**
 * Password guesses are limited per link, and the expensive hashing runs at
 * the edge, never in the link's Durable Object (issue 9, item 9).
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { LinkDO } from "../../src/do/link-do";
import { FREE_PASSWORD_FAILURES } from "../../src/domain/password";
import { bearer, expectProblem, initRaw, initUpload, openLink, sendJson, stubOf } from "../helpers";

const PASSWORD = "correct horse battery";
const file = { name: "a.txt", size: 3 };

/** Guesses wrong until the link waits; then even the right password is 429. */
async function lockOut(uploadUrl: string): Promise<void> {
	for (let i = 0; i <= FREE_PASSWORD_FAILURES; i++)
		await initRaw(uploadUrl, { ...file, password: `guess-${i}` });
	await expectProblem(
		await initRaw(uploadUrl, { ...file, password: PASSWORD }),
		429,
		"too-many-attempts",
	);
}

describe("password guesses", () => {
	it("after the free failures every attempt waits (429 with Retry-After), the right password too", async () => {
		const { uploadUrl } = await openLink({ password: PASSWORD });
		for (let i = 0; i < FREE_PASSWORD_FAILURES; i++) {
			const p = await expectProblem(
				await initRaw(uploadUrl, { ...file, password: `guess-${i}` }),
				403,
				"password-incorrect",
			);
			expect(p.retryAfter).toBeUndefined();
		}
		// The failure that crosses the limit says how long to wait.
		const crossing = await initRaw(uploadUrl, { ...file, password: "guess-x" });
		const p = await expectProblem(crossing, 403, "password-incorrect");
		expect(p.retryAfter).toBe(1);
		for (const password of ["guess-y", PASSWORD]) {
			const res = await initRaw(uploadUrl, { ...file, password });
			const waiting = await expectProblem(res, 429, "too-many-attempts");
			expect(waiting.retryable).toBe(true);
			expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
		}
	});

	it("once the wait is over the right password works and clears the count", async () => {
		const { linkId, uploadUrl } = await openLink({ password: PASSWORD });
		await lockOut(uploadUrl);
		// Time passes: the wait is over.
		await runInDurableObject(stubOf(linkId), (_i: LinkDO, state) => {
			state.storage.sql.exec("UPDATE password_attempts SET wait_until = 0");
		});
		const { upload } = await initUpload(uploadUrl, { ...file, password: PASSWORD });
		expect(upload.state).toBe("open");
		const row = await runInDurableObject(stubOf(linkId), (_i: LinkDO, state) =>
			state.storage.sql.exec<{ failures: number }>("SELECT failures FROM password_attempts").one(),
		);
		expect(row.failures).toBe(0);
	});

	it("missing passwords do not count as guesses", async () => {
		const { uploadUrl } = await openLink({ password: PASSWORD });
		for (let i = 0; i < FREE_PASSWORD_FAILURES + 3; i++)
			await expectProblem(await initRaw(uploadUrl, file), 401, "password-required");
		await initUpload(uploadUrl, { ...file, password: PASSWORD });
	});

	it("the Durable Object never hashes: without a proof it answers a challenge, params only", async () => {
		const { linkId } = await openLink({ password: PASSWORD });
		const hash = await runInDurableObject(stubOf(linkId), (_i: LinkDO, state) =>
			state.storage.sql.exec<{ h: string }>("SELECT password_hash AS h FROM link").one(),
		);
		const secretHash = await runInDurableObject(stubOf(linkId), (_i: LinkDO, state) =>
			state.storage.sql.exec<{ t: string }>("SELECT token_hash AS t FROM link").one(),
		);
		const answer = await stubOf(linkId).initUpload({
			linkSecretHash: secretHash.t,
			uploadId: "upl_00000000000000000000",
			tokenHash: "0".repeat(64),
			name: "a.txt",
			size: 3,
			type: "text/plain",
			uploaderName: null,
			uploaderEmail: null,
			sha256: null,
			passwordGiven: true,
			passwordProof: null,
		});
		const stored = hash.h;
		const params = stored.slice(0, stored.lastIndexOf("$"));
		expect(answer).toEqual({ ok: true, value: { kind: "password", params } });
		// The challenge never carries the stored hash itself.
		expect(JSON.stringify(answer)).not.toContain(stored.slice(stored.lastIndexOf("$") + 1));
	});
});

describe("password guesses and the owner", () => {
	it("setting a new password clears the count: the new one works at once", async () => {
		const { apiKey, linkId, uploadUrl } = await openLink({ password: PASSWORD });
		await lockOut(uploadUrl);
		const patched = await sendJson(
			"PATCH",
			`/api/links/${linkId}`,
			{ password: "a brand new passphrase" },
			bearer(apiKey),
		);
		expect(patched.status).toBe(200);
		const { upload } = await initUpload(uploadUrl, { ...file, password: "a brand new passphrase" });
		expect(upload.state).toBe("open");
	});
});
