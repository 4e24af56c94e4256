/**
 * An init replayed with its Idempotency-Key (docs/uploads.md, "Idempotency-Key
 * on init") answers only a caller presenting the session's Upload-Token, which
 * the client chose: a legitimate retry after a lost answer gets its session
 * back; someone who knows only the link secret and another uploader's key
 * gets no working token.
 */
import { describe, expect, it } from "vitest";
import { initIdempotency } from "../../src/client";
import {
	bodyOf,
	type Created,
	callLink,
	expectProblem,
	initRaw,
	openLink,
	uploaderFor,
} from "../helpers";

const file = { name: "a.txt", size: 3 };

/** The session's status as `token` sees it. */
const statusWith = (uploadUrl: string, uploadId: string, token: string) =>
	callLink(uploadUrl, `/uploads/${uploadId}`, { headers: { "Upload-Token": token } });

describe("init Idempotency-Key replays", () => {
	it("a retry presenting the key and its own Upload-Token gets the same session and token", async () => {
		const { uploadUrl } = await openLink({ maxFiles: 1 });
		const { idempotencyKey, uploadToken } = initIdempotency();
		const headers = { "Idempotency-Key": idempotencyKey, "Upload-Token": uploadToken };
		const first = await initRaw(uploadUrl, file, headers);
		expect(first.status).toBe(201);
		const a = await bodyOf<Created>(first);
		expect(a.uploadToken).toBe(uploadToken);
		// The answer was lost; the client sends the same request again.
		const retry = await initRaw(uploadUrl, file, headers);
		expect(retry.status).toBe(201);
		const b = await bodyOf<Created>(retry);
		expect(b.upload.id).toBe(a.upload.id);
		expect(b.uploadToken).toBe(uploadToken);
		expect((await statusWith(uploadUrl, a.upload.id, uploadToken)).status).toBe(200);
		// maxFiles 1: the replay reserved nothing more.
		await expectProblem(
			await initRaw(uploadUrl, { ...file, name: "b.txt" }),
			409,
			"quota-exceeded",
		);
	});

	it("someone with only the link secret and another uploader's key gets no working token", async () => {
		const { uploadUrl } = await openLink();
		const victim = initIdempotency();
		const victimHeaders = {
			"Idempotency-Key": victim.idempotencyKey,
			"Upload-Token": victim.uploadToken,
		};
		const { upload } = await bodyOf<Created>(await initRaw(uploadUrl, file, victimHeaders));

		// Without a token: the server would have minted one; it refuses instead.
		const bare = await initRaw(uploadUrl, file, { "Idempotency-Key": victim.idempotencyKey });
		await expectProblem(bare.clone(), 409, "idempotency-token-mismatch");
		expect(JSON.stringify(await bare.json())).not.toContain("uploadToken");
		// With a token of the attacker's choosing: refused, and that token opens nothing.
		const attacker = initIdempotency().uploadToken;
		await expectProblem(
			await initRaw(uploadUrl, file, {
				"Idempotency-Key": victim.idempotencyKey,
				"Upload-Token": attacker,
			}),
			409,
			"idempotency-token-mismatch",
		);
		await expectProblem(await statusWith(uploadUrl, upload.id, attacker), 404, "upload-not-found");
		// The victim's session and token are untouched.
		expect((await statusWith(uploadUrl, upload.id, victim.uploadToken)).status).toBe(200);
		// Another body under the key is still 422, before any token is looked at.
		await expectProblem(
			await initRaw(uploadUrl, { ...file, size: 4 }, { "Idempotency-Key": victim.idempotencyKey }),
			422,
			"idempotency-key-reused",
		);
	});

	it("a first init that let the server pick the token cannot be replayed at all", async () => {
		const { uploadUrl } = await openLink();
		const key = { "Idempotency-Key": "server-token-init-1" };
		const first = await bodyOf<Created>(await initRaw(uploadUrl, file, key));
		await expectProblem(await initRaw(uploadUrl, file, key), 409, "idempotency-token-mismatch");
		expect((await statusWith(uploadUrl, first.upload.id, first.uploadToken)).status).toBe(200);
	});

	it("a malformed client Upload-Token on init is 400 invalid-upload-token", async () => {
		const { uploadUrl } = await openLink();
		await expectProblem(
			await initRaw(uploadUrl, file, { "Upload-Token": "short" }),
			400,
			"invalid-upload-token",
		);
	});

	it("the typed client's retry with the same InitIdempotency returns the same session", async () => {
		const { uploadUrl } = await openLink();
		const client = uploaderFor(uploadUrl);
		const retry = initIdempotency();
		const a = await client.init(3, { name: "c.txt" }, retry);
		const b = await client.init(3, { name: "c.txt" }, retry);
		expect(b.session).toEqual(a.session);
		expect(a.session.uploadToken).toBe(retry.uploadToken);
		expect((await client.status(b.session)).id).toBe(a.upload.id);
	});
});
