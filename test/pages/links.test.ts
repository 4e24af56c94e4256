/**
 * The owner dashboard's link pages in the Workers runtime: creating a link
 * through the form (the upload URL shown once, with a QR code), the list,
 * validation in words, pause/resume with the page's ETag, settings edits and
 * their conflicts, revoke through a confirmation to a live command, and
 * downloads through the page.
 */
import { describe, expect, it } from "vitest";
import { bytesOf, createLink, parseUploadUrl, uploaderFor, waitForCommand } from "../helpers";
import { ownerClient } from "../owner-client";
import { readZip } from "../zip-reader";
import { getPage, hiddenFields, inputValue, newLinkForm, ownerSession, postForm } from "./pages";

const MiB = 1024 * 1024;

/** The page a create POST redirects to (303 to `/app/links/<id>?done=created`), fetched. */
async function createdPage(res: Response, cookie: string | null): Promise<Response> {
	expect(res.status).toBe(303);
	const location = res.headers.get("location") ?? "";
	expect(location).toMatch(/^\/app\/links\/lnk_[0-9a-z]+\?done=created$/);
	return getPage(location, cookie);
}

describe("creating a link", () => {
	it("redirects to the new link's page (a reload never creates a second link), which shows the upload URL and its QR code, uncached", async () => {
		const { apiKey, cookie } = await ownerSession();
		const res = await createdPage(
			await postForm("/app/new", cookie, newLinkForm({ requireUploaderName: "on" })),
			cookie,
		);
		expect(res.status).toBe(200);
		expect(res.headers.get("cache-control")).toBe("no-store");
		expect(res.headers.get("referrer-policy")).toBe("no-referrer");
		const html = await res.text();
		const url = inputValue(html, "") ?? /id="upload-url"[^>]*value="([^"]+)"/.exec(html)?.[1];
		expect(url).toMatch(/^https:\/\/receive\.test\/r\/[^#]+#[A-Za-z0-9_-]{43}$/);
		const { linkId, secret } = parseUploadUrl(url ?? "");
		expect(html).toContain("Your link is ready: send it");
		expect(html).toMatch(
			/<div class="qr" role="img" aria-label="QR code of the upload link"><svg /,
		);
		expect(html).not.toMatch(/<svg[^>]*style=|<path[^>]*style=/);

		// The API has the link with the form's settings, in the API's units.
		const { link } = await ownerClient(apiKey).getLink(linkId);
		expect(link.settings).toMatchObject({
			title: "Tax papers",
			maxFileBytes: 20 * MiB,
			maxFiles: null,
			maxTotalBytes: null,
			allowedExtensions: ["pdf", "png"],
			allowedMimeTypes: [],
			expiresAt: null,
			requireUploaderName: true,
			requireUploaderEmail: false,
			passwordRequired: false,
		});

		// Later visits show the same URL again (from the sealed secret) while the link is open.
		const later = await getPage(`/app/links/${linkId}`, cookie);
		expect(later.status).toBe(200);
		const again = await later.text();
		expect(again).toContain("Tax papers");
		expect(again).toContain("Upload link");
		expect(/id="upload-url"[^>]*value="([^"]+)"/.exec(again)?.[1]).toBe(url);
		expect(again).toContain("<svg");

		// Closed, it shows no URL: the URL no longer works.
		await ownerClient(apiKey).waitForCommand((await ownerClient(apiKey).revoke(linkId)).command.id);
		const closed = await (await getPage(`/app/links/${linkId}`, cookie)).text();
		expect(closed).not.toContain(secret);
		expect(closed).not.toContain("<svg");
	});

	it("takes every setting: sizes in MiB, an expiry in UTC, MIME types, a password", async () => {
		const { apiKey, cookie } = await ownerSession();
		const expires = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 16);
		const posted = await postForm(
			"/app/new",
			cookie,
			newLinkForm({
				title: "Everything",
				description: "Line one\r\nLine two",
				maxFileMiB: "0.5",
				maxFiles: "3",
				maxTotalMiB: "1.5",
				allowedExtensions: ".PDF; jpg",
				allowedMimeTypes: "application/pdf, image/*",
				expiresAt: expires,
				lateFinalize: "reject",
				requireUploaderEmail: "on",
				password: "correct horse battery",
			}),
		);
		const res = await createdPage(posted, cookie);
		expect(res.status).toBe(200);
		const { linkId } = parseUploadUrl(
			/id="upload-url"[^>]*value="([^"]+)"/.exec(await res.text())?.[1] ?? "",
		);
		const { link } = await ownerClient(apiKey).getLink(linkId);
		expect(link.settings).toEqual({
			title: "Everything",
			description: "Line one\nLine two",
			maxFileBytes: MiB / 2,
			maxFiles: 3,
			maxTotalBytes: 1.5 * MiB,
			allowedExtensions: ["pdf", "jpg"],
			allowedMimeTypes: ["application/pdf", "image/*"],
			expiresAt: `${expires}:00.000Z`,
			lateFinalize: "reject",
			requireUploaderName: false,
			requireUploaderEmail: true,
			passwordRequired: true,
		});
	});

	it("shows refused values next to their fields, keeps what was typed, and creates nothing", async () => {
		const { apiKey, cookie } = await ownerSession();
		const local = await postForm(
			"/app/new",
			cookie,
			newLinkForm({ title: "Kept title", maxFileMiB: "lots", maxFiles: "-2", password: "short" }),
		);
		expect(local.status).toBe(400);
		const html = await local.text();
		expect(html).toContain('id="maxFileMiB-error"');
		expect(html).toContain("Enter a size in MiB greater than 0");
		expect(html).toMatch(/id="maxFileMiB"[^>]*aria-describedby="maxFileMiB-error maxFileMiB-hint"/);
		expect(html).toMatch(/id="maxFileMiB"[^>]*aria-invalid="true"[^>]*value="lots"/);
		expect(html).toContain("Enter a whole number of files");
		expect(html).toContain("A password needs 8 to 256 characters");
		expect(inputValue(html, "title")).toBe("Kept title");
		expect(html).not.toContain('value="short"');

		// Refused by the API itself: mapped back onto the fields.
		const remote = await postForm(
			"/app/new",
			cookie,
			newLinkForm({ maxFileMiB: "20", maxTotalMiB: "10", allowedExtensions: "pdf, not an ext!" }),
		);
		expect(remote.status).toBe(400);
		const text = await remote.text();
		expect(text).toMatch(/id="allowedExtensions-error"|id="maxFileMiB-error"/);
		const past = await postForm("/app/new", cookie, newLinkForm({ expiresAt: "2001-01-01T10:00" }));
		expect(past.status).toBe(400);
		expect(await past.text()).toContain("Pick a time in the future.");
		const cross = await postForm("/app/new", cookie, newLinkForm({ maxTotalMiB: "10" }));
		expect(await cross.text()).toContain("The largest file cannot be larger than the total");
		expect((await ownerClient(apiKey).listLinks()).items).toEqual([]);
	});
});

describe("the links list", () => {
	it("shows each link's state, epoch, files, bytes and expiry, a page at a time", async () => {
		const { apiKey, cookie } = await ownerSession();
		const first = await createLink(apiKey, { title: "First link" });
		await uploaderFor(first.uploadUrl).upload(bytesOf(2048, 1), { name: "a.bin" });
		await ownerClient(apiKey).pause(first.link.id);
		for (let i = 0; i < 20; i++) await createLink(apiKey, { title: `Filler ${i}` });

		const page1 = await (await getPage("/app", cookie)).text();
		expect(page1).toContain("Filler 19");
		expect(page1).not.toContain("First link");
		const next = /href="(\/app\?cursor=[^"]+)"/.exec(page1)?.[1];
		expect(next).toBeDefined();
		const page2 = await (await getPage((next ?? "").replace(/&amp;/g, "&"), cookie)).text();
		const row =
			/<tr><td class="name"><a href="\/app\/links\/[^"]+">First link<\/a><\/td>(.*?)<\/tr>/.exec(
				page2,
			)?.[1] ?? "";
		expect(row).toContain('<span class="badge paused">paused</span>');
		expect(row).toContain('<td class="num">2</td>'); // epoch
		expect(row).toContain('<td class="num">1</td>'); // files
		expect(row).toContain("2 KiB");
		expect(row).toContain("never");
	});
});

async function linkPageOf(cookie: string, linkId: string) {
	const html = await (await getPage(`/app/links/${linkId}`, cookie)).text();
	return { html, etag: inputValue(html, "etag") ?? "" };
}

describe("pause, resume, revoke and delete from the link page", () => {
	it("pauses and resumes with the page's ETag; a stale page is refused in words", async () => {
		const { apiKey, cookie } = await ownerSession();
		const { link } = await createLink(apiKey);
		const { etag } = await linkPageOf(cookie, link.id);
		const paused = await postForm(`/app/links/${link.id}/pause`, cookie, { etag });
		expect(paused.status).toBe(303);
		expect(paused.headers.get("location")).toBe(`/app/links/${link.id}?done=paused`);
		expect((await ownerClient(apiKey).getLink(link.id)).link.state).toBe("paused");

		// The old page's ETag is stale now.
		const stale = await postForm(`/app/links/${link.id}/resume`, cookie, { etag });
		expect(stale.headers.get("location")).toBe(`/app/links/${link.id}?problem=epoch-mismatch`);
		expect((await ownerClient(apiKey).getLink(link.id)).link.state).toBe("paused");
		const shown = await (await getPage(stale.headers.get("location") ?? "", cookie)).text();
		expect(shown).toContain("The link changed while you were looking at it");

		const fresh = await linkPageOf(cookie, link.id);
		const resumed = await postForm(`/app/links/${link.id}/resume`, cookie, { etag: fresh.etag });
		expect(resumed.headers.get("location")).toBe(`/app/links/${link.id}?done=resumed`);
		expect((await ownerClient(apiKey).getLink(link.id)).link).toMatchObject({
			state: "active",
			epoch: 3,
		});
	});

	it("revokes after a confirmation, then follows the command to succeeded", async () => {
		const { apiKey, cookie } = await ownerSession();
		const { link } = await createLink(apiKey, { title: "To revoke" });
		const confirm = await (await getPage(`/app/links/${link.id}/revoke`, cookie)).text();
		expect(confirm).toContain("The upload link stops working for good");
		expect(confirm).toContain(`href="/app/links/${link.id}">Cancel</a>`);
		const fields = {
			etag: inputValue(confirm, "etag") ?? "",
			idempotencyKey: inputValue(confirm, "idempotencyKey") ?? "",
		};
		const res = await postForm(`/app/links/${link.id}/revoke`, cookie, fields);
		expect(res.status).toBe(303);
		const commandPath = res.headers.get("location") ?? "";
		expect(commandPath).toMatch(/^\/app\/commands\/cmd_/);
		// A double submit is the same command.
		const twice = await postForm(`/app/links/${link.id}/revoke`, cookie, fields);
		expect(twice.headers.get("location")).toBe(commandPath);

		const commandId = commandPath.split("/").pop() ?? "";
		const page = await (await getPage(commandPath, cookie)).text();
		expect(page).toContain("Revoking the link");
		expect(page).toContain(`data-live-command="/app/commands/${commandId}/status.json"`);
		await waitForCommand(commandId);
		const status = await getPage(`${commandPath}/status.json`, cookie);
		expect(status.headers.get("content-type")).toMatch(/^application\/json/);
		expect(await status.json()).toEqual({
			status: "succeeded",
			label: "succeeded",
			final: true,
			reason: null,
		});
		const after = await (await getPage(`/app/links/${link.id}`, cookie)).text();
		expect(after).toContain("This link is revoked");
		expect(after).toMatch(/<button type="submit" class="secondary" disabled="">Pause/);
		expect(after).toContain("Delete…");
	});

	it("answers status.json with 401 without a session and 404 for another owner's command", async () => {
		const { apiKey, cookie } = await ownerSession();
		const { link } = await createLink(apiKey);
		const { command } = await ownerClient(apiKey).revoke(link.id);
		const path = `/app/commands/${command.id}/status.json`;
		expect((await getPage(path, null)).status).toBe(401);
		const other = await ownerSession("Other");
		expect((await getPage(path, other.cookie)).status).toBe(404);
		expect((await getPage(`/app/commands/${command.id}`, other.cookie)).status).toBe(404);
		expect((await getPage(path, cookie)).status).toBe(200);
	});

	it("deletes after a confirmation; the link's page then says it was deleted", async () => {
		const { apiKey, cookie } = await ownerSession();
		const { link } = await createLink(apiKey, { title: "To delete" });
		const confirm = await (await getPage(`/app/links/${link.id}/delete`, cookie)).text();
		expect(confirm).toContain("Every file this link received is removed from storage");
		const res = await postForm(`/app/links/${link.id}/delete`, cookie, {
			etag: inputValue(confirm, "etag") ?? "",
		});
		const commandId = (res.headers.get("location") ?? "").split("/").pop() ?? "";
		await waitForCommand(commandId);
		const gone = await getPage(`/app/links/${link.id}`, cookie);
		expect(gone.status).toBe(410);
		expect(await gone.text()).toContain("This link was deleted");
		expect((await getPage(`/app/commands/${commandId}`, cookie)).status).toBe(200);
	});
});

describe("editing settings", () => {
	it("saves only what changed, with the form's ETag as If-Match", async () => {
		const { apiKey, cookie } = await ownerSession();
		const { link } = await createLink(apiKey, { title: "Before", maxFileBytes: 20 * MiB });
		const form = await (await getPage(`/app/links/${link.id}/settings`, cookie)).text();
		expect(inputValue(form, "maxFileMiB")).toBe("20");
		expect(form).not.toMatch(/name="password"[^>]*value=/);
		const res = await postForm(`/app/links/${link.id}/settings`, cookie, {
			...newLinkForm({ title: "After", allowedExtensions: "", maxFiles: "100" }),
			etag: inputValue(form, "etag") ?? "",
			passwordAction: "set",
			password: "s3cret-Passphrase!",
		});
		expect(res.status).toBe(303);
		expect(res.headers.get("location")).toBe(`/app/links/${link.id}?done=saved`);
		const { link: now, etag } = await ownerClient(apiKey).getLink(link.id);
		expect(now.settings).toMatchObject({
			title: "After",
			maxFileBytes: 20 * MiB,
			passwordRequired: true,
		});
		expect(etag).toBe('"1.2"');

		const removed = await postForm(`/app/links/${link.id}/settings`, cookie, {
			...newLinkForm({ title: "After", allowedExtensions: "", maxFiles: "100" }),
			etag: etag ?? "",
			passwordAction: "remove",
		});
		expect(removed.headers.get("location")).toBe(`/app/links/${link.id}?done=saved`);
		expect((await ownerClient(apiKey).getLink(link.id)).link.settings.passwordRequired).toBe(false);
	});

	it("shows a stale edit as a conflict: the current values, and what the person entered", async () => {
		const { apiKey, cookie } = await ownerSession();
		const { link } = await createLink(apiKey, { title: "Original", maxFileBytes: 20 * MiB });
		const form = await (await getPage(`/app/links/${link.id}/settings`, cookie)).text();
		const hidden = hiddenFields(form);
		expect(hidden["was.title"]).toBe("Original");
		// Someone else changes the link meanwhile.
		await ownerClient(apiKey).patchLink(link.id, { title: "Changed elsewhere", maxFiles: 5 });

		// The person changes the title and the size; the rest as the form showed it.
		const res = await postForm(`/app/links/${link.id}/settings`, cookie, {
			...newLinkForm({
				title: "My title",
				maxFileMiB: "30",
				allowedExtensions: "",
				maxFiles: "100",
			}),
			...hidden,
		});
		expect(res.status).toBe(409);
		const html = await res.text();
		expect(html).toContain("Your changes were not saved");
		expect(html).toContain("Someone changed this link&#39;s settings since you opened them");
		const row = (was: string, mine: string, now: string, changed: boolean) =>
			`<td class="was">${was}</td><td class="${changed ? "mine changed" : "mine"}">${mine}</td><td class="now">${now}</td>`;
		expect(html).toContain(row("Original", "My title", "Changed elsewhere", true));
		expect(html).toContain(row("20", "30", "20", true));
		expect(html).toContain(row("100", "100", "5", false));
		// The form below holds the current values and the current ETag.
		expect(html).toMatch(/id="title"[^>]*value="Changed elsewhere"/);
		const { link: unchanged, etag: current } = await ownerClient(apiKey).getLink(link.id);
		expect(unchanged.settings).toMatchObject({
			title: "Changed elsewhere",
			maxFileBytes: 20 * MiB,
		});
		expect(html).toContain(`value="${(current ?? "").replace(/"/g, "&quot;")}"`);

		// "Apply my changes" re-applies the person's two changes, and keeps the other one.
		const apply = /<form method="post"[^>]*class="actions">(.*?)<\/form>/.exec(html)?.[1] ?? "";
		const again = await postForm(`/app/links/${link.id}/settings`, cookie, hiddenFields(apply));
		expect(again.status).toBe(303);
		expect(again.headers.get("location")).toBe(`/app/links/${link.id}?done=saved`);
		expect((await ownerClient(apiKey).getLink(link.id)).link.settings).toMatchObject({
			title: "My title",
			maxFileBytes: 30 * MiB,
			maxFiles: 5,
		});
	});
});

describe("downloads through the dashboard", () => {
	it("streams a received file as an attachment, sandboxed, with Range", async () => {
		const { apiKey, cookie } = await ownerSession();
		const { link, uploadUrl } = await createLink(apiKey);
		const data = bytesOf(3000, 7);
		const { upload } = await uploaderFor(uploadUrl).upload(data, {
			name: "report.pdf",
			type: "application/pdf",
		});
		const page = await (await getPage(`/app/links/${link.id}`, cookie)).text();
		expect(page).toContain("report.pdf");
		const href = `/app/files/${upload.fileId}/download`;
		expect(page).toContain(`href="${href}"`);

		const res = await getPage(href, cookie);
		expect(res.status).toBe(200);
		expect(res.headers.get("content-disposition")).toMatch(/^attachment;.*report\.pdf/);
		expect(res.headers.get("x-content-type-options")).toBe("nosniff");
		expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
		expect(new Uint8Array(await res.arrayBuffer())).toEqual(data);

		const part = await getPage(href, cookie, { Range: "bytes=10-19" });
		expect(part.status).toBe(206);
		expect(new Uint8Array(await part.arrayBuffer())).toEqual(data.slice(10, 20));

		const other = await ownerSession("Other");
		const refused = await getPage(href, other.cookie);
		expect(refused.status).toBe(404);
		expect(await refused.text()).toContain("This file does not exist");
	});
});

describe("download all (ZIP) through the dashboard", () => {
	it("the link page offers it once a file arrived; it streams the API's archive with the session", async () => {
		const { apiKey, cookie } = await ownerSession();
		const { link, uploadUrl } = await createLink(apiKey, { title: "Tax papers" });
		const href = `/app/links/${link.id}/files.zip`;
		expect(await (await getPage(`/app/links/${link.id}`, cookie)).text()).not.toContain(href);
		const data = bytesOf(4000, 9);
		await uploaderFor(uploadUrl).upload(data, { name: "scan.pdf", type: "application/pdf" });
		const page = await (await getPage(`/app/links/${link.id}`, cookie)).text();
		expect(page).toContain(`href="${href}"`);
		expect(page).toContain("Download all (ZIP)");

		const res = await getPage(href, cookie);
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toBe("application/zip");
		expect(res.headers.get("content-disposition")).toMatch(/^attachment;.*Tax papers\.zip/);
		expect(res.headers.get("x-content-type-options")).toBe("nosniff");
		expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
		const bytes = new Uint8Array(await res.arrayBuffer());
		expect(res.headers.get("content-length")).toBe(String(bytes.byteLength));
		const zip = readZip(bytes);
		expect(zip.entries.map((e) => e.name)).toEqual(["scan.pdf"]);
		expect(zip.entries[0]?.data).toEqual(data);

		const other = await ownerSession("Other");
		const refused = await getPage(href, other.cookie);
		expect(refused.status).toBe(404);
		expect(refused.headers.get("content-type")).toMatch(/^text\/html/);
		expect((await getPage(href, null)).status).toBe(303);
	});
});
