/**
 * Per-link limits (docs/uploads.md#limits): files, bytes per file, total
 * bytes (reserved at init, so parallel inits cannot overshoot), file types,
 * password, required uploader details and expiry.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { PublicLinkView } from "../../src/do/rpc";
import {
	bearer,
	bodyOf,
	type Created,
	call,
	callLink,
	createOwner,
	expectProblem,
	initRaw,
	initUpload,
	type Json,
	openLink,
	readLink,
	sleep,
	stubOf,
	uploaderFor,
} from "../helpers";

async function limitsOf(uploadUrl: string): Promise<PublicLinkView["limits"]> {
	const res = await callLink(uploadUrl, ``);
	expect(res.status).toBe(200);
	return (await bodyOf<{ link: PublicLinkView }>(res)).link.limits;
}

function abort(uploadUrl: string, created: Created): Promise<Response> {
	return callLink(uploadUrl, `/uploads/${created.upload.id}`, {
		method: "DELETE",
		headers: { "Upload-Token": created.uploadToken },
	});
}

describe("maxFiles", () => {
	it("reserves a file at init: the file after the last allowed one is 409 quota-exceeded", async () => {
		const { uploadUrl } = await openLink({ maxFiles: 3 });
		for (let i = 0; i < 3; i++) await initUpload(uploadUrl, { name: `f${i}.txt`, size: 3 });
		expect((await limitsOf(uploadUrl)).remainingFiles).toBe(0);
		await expectProblem(
			await initRaw(uploadUrl, { name: "f3.txt", size: 3 }),
			409,
			"quota-exceeded",
		);
	});

	it("12 concurrent inits against maxFiles 3: exactly 3 get 201, the other 9 get 409", async () => {
		const { linkId, uploadUrl } = await openLink({ maxFiles: 3 });
		const answers = await Promise.all(
			Array.from({ length: 12 }, (_, i) => initRaw(uploadUrl, { name: `p${i}.txt`, size: 5 })),
		);
		const created = answers.filter((r) => r.status === 201);
		const refused = answers.filter((r) => r.status !== 201);
		expect(created).toHaveLength(3);
		expect(refused).toHaveLength(9);
		for (const res of refused) await expectProblem(res, 409, "quota-exceeded");
		const ids = new Set<string>();
		for (const res of created) ids.add((await bodyOf<Created>(res)).upload.id);
		expect(ids.size).toBe(3);
		const { link } = await bodyOf<{ link: { counters: Json } }>(await readLink(linkId));
		expect(link.counters).toMatchObject({ files: 0, reservedFiles: 3, reservedBytes: 15 });
	});
	it("a finalized file keeps counting: its reservation becomes a counted file", async () => {
		const { linkId, uploadUrl } = await openLink({ maxFiles: 1 });
		const result = await uploaderFor(uploadUrl).upload(new Uint8Array([1, 2, 3]), {
			name: "kept.txt",
		});
		expect(result.command).toMatchObject({ status: "succeeded", result: "finalized" });
		const { link } = await bodyOf<{ link: { counters: Json } }>(await readLink(linkId));
		expect(link.counters).toEqual({ files: 1, bytes: 3, reservedFiles: 0, reservedBytes: 0 });
		expect((await limitsOf(uploadUrl)).remainingFiles).toBe(0);
		await expectProblem(
			await initRaw(uploadUrl, { name: "more.txt", size: 3 }),
			409,
			"quota-exceeded",
		);
	});
});

describe("maxFileBytes", () => {
	it("a file one byte over the per-file limit is 413 file-too-large; at the limit it is admitted", async () => {
		const { uploadUrl } = await openLink({ maxFileBytes: 100 });
		await expectProblem(
			await initRaw(uploadUrl, { name: "big.bin", size: 101 }),
			413,
			"file-too-large",
		);
		const { upload } = await initUpload(uploadUrl, { name: "ok.bin", size: 100 });
		expect(upload).toMatchObject({ size: 100, mode: "single", state: "open" });
	});

	it("the per-file limit is checked against the declared size, before any byte is sent", async () => {
		const { uploadUrl } = await openLink({ maxFileBytes: 10 * 1024 * 1024 });
		await expectProblem(
			await initRaw(uploadUrl, { name: "huge.bin", size: 4 * 1024 ** 4 }),
			413,
			"file-too-large",
		);
	});
});

describe("maxTotalBytes", () => {
	it("sequential inits: the reservation that would pass the total is 409 quota-exceeded", async () => {
		const { uploadUrl } = await openLink({ maxTotalBytes: 1000, maxFileBytes: 1000 });
		await initUpload(uploadUrl, { name: "a.bin", size: 600 });
		await expectProblem(
			await initRaw(uploadUrl, { name: "b.bin", size: 401 }),
			409,
			"quota-exceeded",
		);
		await initUpload(uploadUrl, { name: "c.bin", size: 400 });
		expect((await limitsOf(uploadUrl)).remainingBytes).toBe(0);
		await expectProblem(
			await initRaw(uploadUrl, { name: "d.bin", size: 1 }),
			409,
			"quota-exceeded",
		);
	});

	it("parallel inits count each other's reservations: 6 x 300 bytes against 1000 admits exactly 3", async () => {
		const { linkId, uploadUrl } = await openLink({ maxTotalBytes: 1000, maxFileBytes: 1000 });
		const answers = await Promise.all(
			Array.from({ length: 6 }, (_, i) => initRaw(uploadUrl, { name: `p${i}.bin`, size: 300 })),
		);
		expect(answers.filter((r) => r.status === 201)).toHaveLength(3);
		for (const res of answers.filter((r) => r.status !== 201))
			await expectProblem(res, 409, "quota-exceeded");
		const { link } = await bodyOf<{ link: { counters: Json } }>(await readLink(linkId));
		expect(link.counters).toMatchObject({ bytes: 0, reservedBytes: 900 });
		expect((await limitsOf(uploadUrl)).remainingBytes).toBe(100);
		await expectProblem(
			await initRaw(uploadUrl, { name: "over.bin", size: 101 }),
			409,
			"quota-exceeded",
		);
		await initUpload(uploadUrl, { name: "fits.bin", size: 100 });
	});
});

describe("abort releases the reservation", () => {
	it("remainingFiles and remainingBytes go back up, and a refused init then fits", async () => {
		const { uploadUrl } = await openLink({ maxFiles: 2, maxTotalBytes: 500, maxFileBytes: 500 });
		expect(await limitsOf(uploadUrl)).toMatchObject({ remainingFiles: 2, remainingBytes: 500 });
		const a = await initUpload(uploadUrl, { name: "a.bin", size: 200 });
		const b = await initUpload(uploadUrl, { name: "b.bin", size: 300 });
		expect(await limitsOf(uploadUrl)).toMatchObject({ remainingFiles: 0, remainingBytes: 0 });
		await expectProblem(
			await initRaw(uploadUrl, { name: "c.bin", size: 1 }),
			409,
			"quota-exceeded",
		);

		expect((await abort(uploadUrl, b)).status).toBe(204);
		expect(await limitsOf(uploadUrl)).toMatchObject({ remainingFiles: 1, remainingBytes: 300 });
		// Aborting again is idempotent and releases nothing twice.
		expect((await abort(uploadUrl, b)).status).toBe(204);
		expect(await limitsOf(uploadUrl)).toMatchObject({ remainingFiles: 1, remainingBytes: 300 });

		await initUpload(uploadUrl, { name: "c.bin", size: 300 });
		expect(await limitsOf(uploadUrl)).toMatchObject({ remainingFiles: 0, remainingBytes: 0 });
		expect((await abort(uploadUrl, a)).status).toBe(204);
		expect(await limitsOf(uploadUrl)).toMatchObject({ remainingFiles: 1, remainingBytes: 200 });
	});
});

describe("allowedExtensions", () => {
	it("accepts an allowed extension in any case and refuses others with 415", async () => {
		const { uploadUrl } = await openLink({ allowedExtensions: ["pdf"] });
		await initUpload(uploadUrl, { name: "contract.pdf", size: 4 });
		await initUpload(uploadUrl, { name: "report.PDF", size: 4 });
		for (const name of ["notes.txt", "contract.pdf.exe", "pdf"]) {
			await expectProblem(
				await initRaw(uploadUrl, { name, size: 4 }),
				415,
				"file-type-not-allowed",
			);
		}
	});

	it("judges the last extension: photo.jpg.php is refused when only jpg is allowed", async () => {
		const { uploadUrl } = await openLink({ allowedExtensions: [".jpg"] });
		await initUpload(uploadUrl, { name: "photo.jpg", size: 4 });
		await expectProblem(
			await initRaw(uploadUrl, { name: "photo.jpg.php", size: 4 }),
			415,
			"file-type-not-allowed",
		);
	});

	it("refuses a name with no extension (or only a leading or trailing dot)", async () => {
		const { uploadUrl } = await openLink({ allowedExtensions: ["jpg"] });
		for (const name of ["photo", ".jpg", "photo.", "photo.jpg/"]) {
			await expectProblem(
				await initRaw(uploadUrl, { name, size: 4 }),
				415,
				"file-type-not-allowed",
			);
		}
	});
});

describe("allowedMimeTypes", () => {
	it("matches exact types and type/* patterns, and refuses everything else with 415", async () => {
		const { uploadUrl } = await openLink({ allowedMimeTypes: ["image/*", "application/pdf"] });
		for (const type of ["image/png", "image/jpeg", "image/svg+xml", "IMAGE/PNG", "application/pdf"])
			await initUpload(uploadUrl, { name: "f.bin", size: 4, type });
		for (const type of ["text/plain", "application/pdfx", "imagex/png", "application/x-image"]) {
			await expectProblem(
				await initRaw(uploadUrl, { name: "f.bin", size: 4, type }),
				415,
				"file-type-not-allowed",
			);
		}
	});

	it("a file with no declared type counts as application/octet-stream and is refused", async () => {
		const { uploadUrl } = await openLink({ allowedMimeTypes: ["image/*"] });
		await expectProblem(
			await initRaw(uploadUrl, { name: "f.png", size: 4 }),
			415,
			"file-type-not-allowed",
		);
	});
});

describe("password", () => {
	const PASSWORD = "s3cret-Passphrase!";

	it("none is 401 password-required, wrong is 403 password-incorrect, right is 201", async () => {
		const { uploadUrl } = await openLink({ password: PASSWORD });
		const info = await bodyOf<{ link: PublicLinkView }>(await callLink(uploadUrl, ``));
		expect(info.link.passwordRequired).toBe(true);
		const file = { name: "a.txt", size: 3 };
		await expectProblem(await initRaw(uploadUrl, file), 401, "password-required");
		await expectProblem(
			await initRaw(uploadUrl, { ...file, password: "" }),
			401,
			"password-required",
		);
		for (const password of ["wrong-password", `${PASSWORD}x`, PASSWORD.toUpperCase()]) {
			await expectProblem(
				await initRaw(uploadUrl, { ...file, password }),
				403,
				"password-incorrect",
			);
		}
		const { upload } = await initUpload(uploadUrl, { ...file, password: PASSWORD });
		expect(upload.state).toBe("open");
	});

	it("an Idempotency-Key replay of an init still needs the password", async () => {
		const { uploadUrl } = await openLink({ password: PASSWORD });
		const file = { name: "a.txt", size: 3 };
		// A replay presents the Upload-Token the first init chose (docs/uploads.md).
		const key = { "Idempotency-Key": "init-with-password-1", "Upload-Token": "t".repeat(43) };
		const first = await initRaw(uploadUrl, { ...file, password: PASSWORD }, key);
		expect(first.status).toBe(201);
		await expectProblem(await initRaw(uploadUrl, file, key), 401, "password-required");
		await expectProblem(
			await initRaw(uploadUrl, { ...file, password: "wrong-password" }, key),
			403,
			"password-incorrect",
		);
		// The right password replays the original upload.
		const replay = await initRaw(uploadUrl, { ...file, password: PASSWORD }, key);
		expect(replay.status).toBe(201);
		const a = (await bodyOf<Created>(first)).upload.id;
		expect((await bodyOf<Created>(replay)).upload.id).toBe(a);
	});

	it("the password never appears in any response", async () => {
		const { apiKey } = await createOwner();
		const createRes = await call("/api/links", {
			method: "POST",
			headers: { ...bearer(apiKey), "Content-Type": "application/json" },
			body: JSON.stringify({ password: PASSWORD }),
		});
		const createText = await createRes.text();
		expect(createRes.status).toBe(201);
		const { link, uploadUrl } = JSON.parse(createText) as {
			link: { id: string };
			uploadUrl: string;
		};
		const file = { name: "a.txt", size: 3 };
		const initRes = await initRaw(uploadUrl, { ...file, password: PASSWORD });
		const initText = await initRes.text();
		expect(initRes.status).toBe(201);
		const { upload, uploadToken } = JSON.parse(initText) as Created;
		const texts = [
			createText,
			initText,
			await (await initRaw(uploadUrl, { ...file, password: "wrong-password" })).text(),
			await (await callLink(uploadUrl, ``)).text(),
			await (await call(`/api/links/${link.id}`, { headers: bearer(apiKey) })).text(),
			await (await call(`/api/links/${link.id}/uploads`, { headers: bearer(apiKey) })).text(),
			await (
				await callLink(uploadUrl, `/uploads/${upload.id}`, {
					headers: { "Upload-Token": uploadToken },
				})
			).text(),
		];
		for (const text of texts) expect(text).not.toContain(PASSWORD);
	});
});

describe("required uploader details", () => {
	it("requireUploaderName: a missing name is 400 uploader-details-required", async () => {
		const { uploadUrl } = await openLink({ requireUploaderName: true });
		await expectProblem(
			await initRaw(uploadUrl, { name: "a.txt", size: 3 }),
			400,
			"uploader-details-required",
		);
		await expectProblem(
			await initRaw(uploadUrl, { name: "a.txt", size: 3, uploaderEmail: "a@example.com" }),
			400,
			"uploader-details-required",
		);
		const { upload } = await initUpload(uploadUrl, { name: "a.txt", size: 3, uploaderName: "Ada" });
		expect(upload.uploaderName).toBe("Ada");
	});

	it("requireUploaderEmail: a missing email is 400 uploader-details-required", async () => {
		const { uploadUrl } = await openLink({ requireUploaderEmail: true });
		await expectProblem(
			await initRaw(uploadUrl, { name: "a.txt", size: 3, uploaderName: "Ada" }),
			400,
			"uploader-details-required",
		);
		const { upload } = await initUpload(uploadUrl, {
			name: "a.txt",
			size: 3,
			uploaderEmail: "ada@example.com",
		});
		expect(upload.uploaderEmail).toBe("ada@example.com");
	});

	it("an invalid email or a blank name is 400 validation-failed", async () => {
		const { uploadUrl } = await openLink({ requireUploaderName: true, requireUploaderEmail: true });
		for (const uploaderEmail of ["not-an-email", "a@", "@example.com", "a b@example.com", ""]) {
			await expectProblem(
				await initRaw(uploadUrl, { name: "a.txt", size: 3, uploaderName: "Ada", uploaderEmail }),
				400,
				"validation-failed",
			);
		}
		for (const uploaderName of ["", "   "]) {
			await expectProblem(
				await initRaw(uploadUrl, {
					name: "a.txt",
					size: 3,
					uploaderName,
					uploaderEmail: "ada@example.com",
				}),
				400,
				"validation-failed",
			);
		}
		await initUpload(uploadUrl, {
			name: "a.txt",
			size: 3,
			uploaderName: "Ada",
			uploaderEmail: "ada@example.com",
		});
	});
});

describe("link expiry", () => {
	it("past expiresAt, init is 423 link-closing with Retry-After even before the alarm runs", async () => {
		const expiresAt = new Date(Date.now() + 300).toISOString();
		const { linkId, uploadUrl } = await openLink({ expiresAt });
		const early = await initUpload(uploadUrl, { name: "early.txt", size: 3 });
		// Keep the expiry alarm from running: the link must close on the clock alone.
		await runInDurableObject(stubOf(linkId), async (_instance, state) => {
			await state.storage.deleteAlarm();
		});
		await sleep(400);

		const p = await expectProblem(
			await initRaw(uploadUrl, { name: "late.txt", size: 3 }),
			423,
			"link-closing",
		);
		expect(p.retryable).toBe(true);
		const res = await initRaw(uploadUrl, { name: "late.txt", size: 3 });
		expect(res.headers.get("retry-after")).toMatch(/^[0-9]+$/);
		await expectProblem(res, 423, "link-closing");
		// An upload admitted before the expiry cannot send its bytes either.
		await expectProblem(
			await callLink(uploadUrl, `/uploads/${early.upload.id}`, {
				method: "PUT",
				headers: { "Upload-Token": early.uploadToken },
				body: new Uint8Array([1, 2, 3]),
			}),
			423,
			"link-closing",
		);
		// No expire command was issued: the alarm never ran.
		const { link } = await bodyOf<{
			link: { state: string; closing: boolean; pendingCommands: Json[] };
		}>(await readLink(linkId));
		expect(link).toMatchObject({ state: "active", closing: true, pendingCommands: [] });
	});
});
