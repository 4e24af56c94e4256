/**
 * Uploader-supplied and owner-supplied text is cleaned at the edge (issue 9,
 * item 10): no control, bidi or invisible characters are stored, and a value
 * with nothing visible counts as missing.
 */
import { describe, expect, it } from "vitest";
import type { UploadView } from "../../src/do/rpc";
import {
	bearer,
	bodyOf,
	call,
	createLink,
	createOwner,
	expectProblem,
	initRaw,
	initUpload,
	type LinkBody,
	openLink,
	sendJson,
} from "../helpers";

async function uploadsOf(apiKey: string, linkId: string): Promise<UploadView[]> {
	const res = await call(`/api/links/${linkId}/uploads`, { headers: bearer(apiKey) });
	expect(res.status).toBe(200);
	return (await bodyOf<{ items: UploadView[] }>(res)).items;
}

describe("uploader details are cleaned", () => {
	it("a name or email with nothing visible counts as missing when required", async () => {
		const { uploadUrl } = await openLink({ requireUploaderName: true, requireUploaderEmail: true });
		const email = "ada@example.com";
		for (const uploaderName of ["\u0000", "\u200b\u200d", "\u202e", "\u0000\r\n\u200b"]) {
			await expectProblem(
				await initRaw(uploadUrl, { name: "a.txt", size: 3, uploaderName, uploaderEmail: email }),
				400,
				"uploader-details-required",
			);
		}
		await expectProblem(
			await initRaw(uploadUrl, {
				name: "a.txt",
				size: 3,
				uploaderName: "Ada",
				uploaderEmail: "\u200b\u0000",
			}),
			400,
			"uploader-details-required",
		);
	});

	it("stores a clean name and email, read back through the owner's upload list", async () => {
		const { apiKey, linkId, uploadUrl } = await openLink({ requireUploaderName: true });
		const { upload } = await initUpload(uploadUrl, {
			name: "re\u200bport\u202e\r\n.txt",
			size: 3,
			uploaderName: "Ada\u202E\r\nLovelace",
			uploaderEmail: "\u200bada@example.com\u0000",
		});
		expect(upload).toMatchObject({
			name: "report.txt",
			uploaderName: "AdaLovelace",
			uploaderEmail: "ada@example.com",
		});
		const [stored] = await uploadsOf(apiKey, linkId);
		expect(stored).toMatchObject({
			id: upload.id,
			name: "report.txt",
			uploaderName: "AdaLovelace",
			uploaderEmail: "ada@example.com",
		});
	});

	it("an optional name or email with nothing visible is stored as null", async () => {
		const { apiKey, linkId, uploadUrl } = await openLink();
		await initUpload(uploadUrl, {
			name: "a.txt",
			size: 3,
			uploaderName: "\u0000\u202e",
			uploaderEmail: "\ufeff\u200b",
		});
		const [stored] = await uploadsOf(apiKey, linkId);
		expect(stored).toMatchObject({ uploaderName: null, uploaderEmail: null });
	});
});

describe("link title and description are cleaned", () => {
	it("strips control, bidi and invisible characters from the title and description", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey, {
			title: "Tax\u0000 \u202edocs\u200b \r\n2026",
			description: "Line 1\r\nLine\u202e 2\u0000\u200b",
		});
		expect(link.settings).toMatchObject({
			title: "Tax docs 2026",
			description: "Line 1\nLine 2",
		});
		const patched = await sendJson(
			"PATCH",
			`/api/links/${link.id}`,
			{ title: "New\u2066 title\u2069", description: "\u200b\u0000" },
			bearer(apiKey),
		);
		expect(patched.status).toBe(200);
		expect((await bodyOf<{ link: LinkBody }>(patched)).link.settings).toMatchObject({
			title: "New title",
			description: "",
		});
	});

	it("a title with nothing visible is 400 validation-failed and changes nothing", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey, { title: "Kept" });
		for (const title of ["\u0000", "\u200b\u202e", "\u3164"]) {
			await expectProblem(
				await sendJson("PATCH", `/api/links/${link.id}`, { title }, bearer(apiKey)),
				400,
				"validation-failed",
			);
			await expectProblem(
				await sendJson("POST", "/api/links", { title }, bearer(apiKey)),
				400,
				"validation-failed",
			);
		}
		const res = await call(`/api/links/${link.id}`, { headers: bearer(apiKey) });
		expect((await bodyOf<{ link: LinkBody }>(res)).link.settings.title).toBe("Kept");
	});
});
