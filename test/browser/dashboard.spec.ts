/**
 * The owner dashboard in Chromium (issue 12 items 2, 5, 6): create a link
 * through the form and copy its URL (with a QR code), see it in
 * the list and on its page, receive files (uploaded with tus-js-client in
 * Node) and download one, pause and resume, a stale settings edit, revoke
 * with its live command status, CSRF and sign-out, a 390 px viewport, and
 * the create flow with the keyboard alone. axe runs on every page.
 */
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Page } from "@playwright/test";
import { Upload } from "tus-js-client";
import type { OwnerClient } from "../../src/client/owner.ts";
import {
	adminToken,
	baseUrl,
	expect,
	expectAccessible,
	newOwner,
	shot,
	signIn,
	test,
} from "./fixtures.ts";

const MiB = 1024 * 1024;

/** Uploads `data` into the link of `uploadUrl` with tus-js-client (Node), as any tus client would. */
function tusUpload(
	uploadUrl: string,
	data: Buffer,
	name: string,
	type: string,
	uploader = "Bea Uploader",
): Promise<void> {
	const url = new URL(uploadUrl);
	return new Promise((resolve, reject) => {
		new Upload(data, {
			endpoint: `${url.origin}${url.pathname}/tus/`,
			headers: { "Link-Secret": url.hash.slice(1) },
			metadata: { filename: name, filetype: type, name: uploader },
			retryDelays: [100, 400, 1600],
			onSuccess: () => resolve(),
			onError: reject,
		}).start();
	});
}

/** Waits until the owner's API lists `n` files of the link (each finalize is a queued command). */
async function filesReceived(api: OwnerClient, linkId: string, n: number): Promise<void> {
	await expect
		.poll(async () => (await api.listFiles(linkId)).items.length, { timeout: 30_000 })
		.toBe(n);
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

test("an owner creates a link, copies its URL, receives two files and downloads one", async ({
	page,
	context,
}) => {
	await context.grantPermissions(["clipboard-read", "clipboard-write"]);
	const { apiKey, api } = await newOwner();
	await signIn(page, "owner", apiKey);
	await expect(page.getByText("You have no links yet")).toBeVisible();
	await expectAccessible(page, "empty links list");

	await page.getByRole("link", { name: "Create a link" }).click();
	await expect(page).toHaveURL(/\/app\/new$/);
	await expectAccessible(page, "new link form");
	await page.getByLabel("Title").fill("Invoices 2026");
	await page.getByLabel("Description").fill("Send your invoices as PDF, and photos as PNG.");
	await page.getByLabel("Largest file (MiB)").fill("20");
	await page.getByLabel("Number of files").fill("10");
	await page.getByLabel("Allowed extensions").fill("pdf, png");
	await page.getByLabel("Allowed MIME types").fill("application/pdf, image/png");
	await page.getByLabel("Ask for the uploader's name").check();
	await page.getByRole("button", { name: "Create the link" }).click();

	// The answer is the link's page with the URL, shown this once.
	await expect(page.getByRole("heading", { name: /Your link is ready/ })).toBeVisible();
	const urlInput = page.getByRole("textbox", { name: "Upload link" });
	const uploadUrl = await urlInput.inputValue();
	expect(uploadUrl).toMatch(new RegExp(`^${baseUrl()}/r/lnk_[0-9a-z]+#[A-Za-z0-9_-]{43}$`));
	await expect(page.getByRole("img", { name: "QR code of the upload link" })).toBeVisible();
	await expect(page.getByRole("link", { name: "Open the upload page" })).toHaveAttribute(
		"href",
		uploadUrl,
	);
	await page.getByRole("button", { name: "Copy" }).click();
	await expect(page.getByText(/^Copied\./)).toBeVisible();
	expect(await page.evaluate("navigator.clipboard.readText()")).toBe(uploadUrl);
	await expectAccessible(page, "created link page");
	await shot(page, "dashboard-created");

	const linkId = new URL(uploadUrl).pathname.split("/")[2] ?? "";
	const { link } = await api.getLink(linkId);
	expect(link.settings).toMatchObject({
		maxFileBytes: 20 * MiB,
		maxFiles: 10,
		allowedExtensions: ["pdf", "png"],
		allowedMimeTypes: ["application/pdf", "image/png"],
		requireUploaderName: true,
	});

	// The list shows it; its title leads to its page, which shows the same upload URL again.
	await page.getByRole("link", { name: "Your links", exact: true }).click();
	const row = page.getByRole("row", { name: /Invoices 2026/ });
	await expect(row).toContainText("active");
	await expectAccessible(page, "links list");
	await shot(page, "dashboard-list");
	await row.getByRole("link", { name: "Invoices 2026" }).click();
	await expect(page.getByRole("heading", { level: 1 })).toHaveText("Invoices 2026");
	await expect(page.locator("#upload-url")).toHaveValue(uploadUrl);

	// Two files arrive through the upload URL (tus), then show on the page.
	const pdf = randomBytes(3 * MiB + 123);
	const png = randomBytes(1024);
	await tusUpload(uploadUrl, pdf, "invoice-march.pdf", "application/pdf");
	await tusUpload(uploadUrl, png, "receipt.png", "image/png");
	await filesReceived(api, linkId, 2);
	await page.reload();
	const files = page.getByRole("region", { name: "Files received" });
	await expect(files.getByRole("row", { name: /invoice-march\.pdf/ })).toContainText("3 MiB");
	await expect(files.getByRole("row", { name: /receipt\.png/ })).toContainText("1 KiB");
	await expect(files.getByRole("row", { name: /receipt\.png/ })).toContainText("Bea Uploader");
	await expect(page.getByRole("region", { name: "Uploads" })).toContainText("received");
	await expectAccessible(page, "link page with files");
	await shot(page, "dashboard-link");

	const downloading = page.waitForEvent("download");
	await page.getByRole("link", { name: "Download invoice-march.pdf" }).click();
	const download = await downloading;
	expect(download.suggestedFilename()).toBe("invoice-march.pdf");
	expect(sha256(readFileSync(await download.path()))).toBe(sha256(pdf));

	// Both files at once: a ZIP named after the link, which the real unzip accepts.
	const zipping = page.waitForEvent("download");
	await page.getByRole("link", { name: "Download all (ZIP)" }).click();
	const zip = await zipping;
	expect(zip.suggestedFilename()).toBe("Invoices 2026.zip");
	const zipPath = await zip.path();
	expect(spawnSync("unzip", ["-t", zipPath], { encoding: "utf8" }).status).toBe(0);
	const names = spawnSync("zipinfo", ["-1", zipPath], { encoding: "utf8" }).stdout;
	expect(names.split("\n").filter(Boolean)).toEqual(["invoice-march.pdf", "receipt.png"]);
	expect(
		sha256(
			spawnSync("unzip", ["-p", zipPath, "invoice-march.pdf"], { maxBuffer: 64 * MiB }).stdout,
		),
	).toBe(sha256(pdf));
});

/** A signed-in owner with one link (made through the API), on the link's page. */
async function onLinkPage(page: Page, title = "Contracts") {
	const owner = await newOwner();
	const created = await owner.api.createLink({ title, maxFileBytes: 20 * MiB });
	await signIn(page, "owner", owner.apiKey);
	await page.goto(`/app/links/${created.link.id}`);
	await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
	return { ...owner, ...created, linkId: created.link.id };
}

test("pause and resume with the buttons", async ({ page }) => {
	const { api, linkId } = await onLinkPage(page);
	await page.getByRole("button", { name: "Pause" }).click();
	await expect(page.getByText("The link is paused.")).toBeVisible();
	await expect(page.locator("dl.kv .badge").first()).toHaveText("paused");
	expect((await api.getLink(linkId)).link).toMatchObject({ state: "paused", epoch: 2 });
	await expectAccessible(page, "paused link page");
	await page.getByRole("button", { name: "Resume" }).click();
	await expect(page.getByText("The link is active again.")).toBeVisible();
	expect((await api.getLink(linkId)).link).toMatchObject({ state: "active", epoch: 3 });
	await shot(page, "dashboard-resumed");
});

test("a stale settings edit shows the conflict with the current values, then re-applies", async ({
	page,
}) => {
	const { api, linkId } = await onLinkPage(page, "Photos");
	await page.getByRole("link", { name: "Edit settings" }).click();
	await expect(page.getByLabel("Largest file (MiB)")).toHaveValue("20");
	await expectAccessible(page, "settings form");
	await page.getByLabel("Title").fill("Holiday photos");
	await page.getByLabel("Largest file (MiB)").fill("50");

	// Meanwhile the link changes elsewhere.
	await api.patchLink(linkId, { title: "Photos (team)", maxFiles: 5 });
	await page.getByRole("button", { name: "Save the settings" }).click();

	const conflict = page.getByRole("alert").filter({ hasText: "Your changes were not saved" });
	await expect(conflict).toContainText("Someone changed this link's settings");
	await expect(conflict.getByRole("row", { name: /Title/ })).toContainText("Holiday photos");
	await expect(conflict.getByRole("row", { name: /Title/ })).toContainText("Photos (team)");
	await expect(conflict.getByRole("row", { name: /Number of files/ })).toContainText("5");
	await expect(page.getByLabel("Title")).toHaveValue("Photos (team)");
	await expect(page.getByLabel("Number of files")).toHaveValue("5");
	await expectAccessible(page, "settings conflict");
	await shot(page, "dashboard-conflict");

	// Re-applying sends the person's two changes and keeps the other one.
	await page.getByRole("button", { name: "Apply my changes to the current values" }).click();
	await expect(page.getByText("The settings are saved.")).toBeVisible();
	expect((await api.getLink(linkId)).link.settings).toMatchObject({
		title: "Holiday photos",
		maxFileBytes: 50 * MiB,
		maxFiles: 5,
	});
});

test("revoke behind a confirmation; the command's status goes live to succeeded", async ({
	page,
	request,
}) => {
	const { api, linkId } = await onLinkPage(page, "Old request");
	// The revoke stays in flight for a few seconds: its first three queue sends
	// fail (the outbox retries each a second later), then its first step fails
	// twice. (With max_batch_timeout 0 a command applies in tens of ms, too fast
	// for the page to show it in flight without a fault.)
	const faults = await request.post("/__test/faults", {
		headers: { Authorization: `Bearer ${adminToken()}` },
		data: { linkId, faults: { failSend: 3, failStep: { "cleanup-uploads": 2 } } },
	});
	expect(faults.status()).toBe(204);

	await page.getByRole("link", { name: "Revoke…" }).click();
	await expect(page.getByRole("heading", { name: "Revoke this link?" })).toBeVisible();
	await expect(page.getByText("This cannot be undone.")).toBeVisible();
	await expectAccessible(page, "revoke confirmation");
	await page.getByRole("link", { name: "Cancel" }).click();
	expect((await api.getLink(linkId)).link.state).toBe("active");

	await page.getByRole("link", { name: "Revoke…" }).click();
	await page.getByRole("button", { name: "Revoke the link" }).click();
	await expect(page).toHaveURL(/\/app\/commands\/cmd_/);
	await page.evaluate("document.body.dataset.sameDocument = 'yes'");
	const badge = page.locator("[data-live-command]");
	await expect(badge).toHaveText(/accepted|applying/);
	await expectAccessible(page, "command page in flight");
	await shot(page, "dashboard-command");
	await expect(badge).toHaveText("succeeded", { timeout: 60_000 });
	await expect(badge).toHaveAttribute("data-final", "1");
	await expect(page.locator("body")).toHaveAttribute("data-same-document", "yes");
	// The details under the badge follow it: applied, every step done, finished.
	await expect(page.locator("[data-command-details]")).toContainText("Applied at epoch2");
	await expect(page.locator("[data-command-details]")).not.toContainText("not yet");
	await shot(page, "dashboard-command-succeeded");

	await page.getByRole("link", { name: "← Old request" }).click();
	await expect(page.getByText("This link is revoked")).toBeVisible();
	await expect(page.getByRole("button", { name: "Pause" })).toBeDisabled();
	await expect(page.getByRole("button", { name: "Revoke…" })).toBeDisabled();
	await expectAccessible(page, "revoked link page");
});

test("a dead-lettered delete shows why, live", async ({ page, request }) => {
	const { linkId } = await onLinkPage(page, "Doomed");
	await request.post("/__test/faults", {
		headers: { Authorization: `Bearer ${adminToken()}` },
		data: { linkId, faults: { failStep: { "purge-objects": 1000 } } },
	});
	await page.getByRole("link", { name: "Delete…" }).click();
	await expect(page.getByText("Every file this link received is removed")).toBeVisible();
	await page.getByRole("button", { name: "Delete the link and its files" }).click();
	const badge = page.locator("[data-live-command]");
	await expect(badge).toHaveText("dead-lettered", { timeout: 90_000 });
	await expect(page.locator("[data-live-command-reason]")).toContainText(
		"injected failure in step purge-objects",
	);
	await expect(page.locator("[data-command-details]")).toContainText(
		"Stop the uploads under way: done",
	);
	await expect(page.locator("[data-command-details]")).toContainText(
		"Remove the files from storage: not yet",
	);
	await expectAccessible(page, "dead-lettered command");
	await shot(page, "dashboard-command-dead-lettered");
});

test("a form POST from another origin is refused and changes nothing", async ({ page }) => {
	const { api, linkId } = await onLinkPage(page);
	const etag = await page.locator('input[name="etag"]').first().inputValue();
	// page.request carries the session cookie; the Origin is another site's.
	const res = await page.request.post(`/app/links/${linkId}/pause`, {
		headers: { Origin: "https://evil.example" },
		form: { etag },
		maxRedirects: 0,
	});
	expect(res.status()).toBe(403);
	expect(await res.text()).toContain("This form was not sent from this site");
	const json = await page.request.post("/app/new", {
		headers: { Origin: baseUrl() },
		data: { title: "JSON is not a form" },
		maxRedirects: 0,
	});
	expect(json.status()).toBe(403);
	expect((await api.getLink(linkId)).link).toMatchObject({ state: "active", epoch: 1 });
	expect((await api.listLinks()).items).toHaveLength(1);
});

test("after sign-out the old session cookie no longer opens the dashboard", async ({
	page,
	context,
	browser,
}) => {
	await onLinkPage(page);
	const cookie = (await context.cookies()).find((c) => c.name === "__Host-rl-app");
	expect(cookie).toBeDefined();
	await page.getByRole("button", { name: "Sign out" }).click();
	await expect(page).toHaveURL(/\/app\/sign-in$/);

	const replay = await browser.newContext({ baseURL: baseUrl() });
	if (cookie) await replay.addCookies([cookie]);
	const again = await replay.newPage();
	await again.goto("/app");
	await expect(again).toHaveURL(/\/app\/sign-in\?next=%2Fapp$/);
	await replay.close();
});

test("the list and a link's page at 390 px", async ({ page }) => {
	const { linkId, uploadUrl, api } = await onLinkPage(
		page,
		"A link with a rather long title, to wrap",
	);
	await tusUpload(
		uploadUrl,
		randomBytes(2048),
		"scan-with-a-long-file-name-2026-03.pdf",
		"application/pdf",
	);
	await filesReceived(api, linkId, 1);
	await page.setViewportSize({ width: 390, height: 844 });
	await page.goto("/app");
	const overflow = async () => Number(await page.evaluate("document.documentElement.scrollWidth"));
	expect(await overflow()).toBeLessThanOrEqual(390);
	await expectAccessible(page, "links list at 390 px");
	await shot(page, "dashboard-mobile-list");
	await page.goto(`/app/links/${linkId}`);
	expect(await overflow()).toBeLessThanOrEqual(390);
	await expectAccessible(page, "link page at 390 px");
	await shot(page, "dashboard-mobile");
});

/** What has the keyboard focus: its id and its text. */
interface Focused {
	id: string;
	text: string;
}

/** Presses Tab until the focused element matches `what` (at most 40 times). */
async function tabTo(page: Page, what: (el: Focused) => boolean, name: string): Promise<void> {
	for (let i = 0; i < 40; i++) {
		await page.keyboard.press("Tab");
		const focused = (await page.evaluate(
			"({ id: document.activeElement?.id ?? '', text: document.activeElement?.textContent?.trim() ?? '' })",
		)) as Focused;
		if (what(focused)) return;
	}
	throw new Error(`Tab never reached ${name}`);
}

test("the create-link flow with the keyboard alone", async ({ page }) => {
	const { apiKey, api } = await newOwner();
	await signIn(page, "owner", apiKey);
	await tabTo(page, (el) => el.text === "Create a link", "Create a link");
	await page.keyboard.press("Enter");
	await expect(page).toHaveURL(/\/app\/new$/);
	await tabTo(page, (el) => el.id === "title", "the title field");
	await page.keyboard.type("Keyboard only");
	await tabTo(page, (el) => el.id === "maxFileMiB", "the size field");
	await page.keyboard.press("ControlOrMeta+A");
	await page.keyboard.type("20");
	await tabTo(page, (el) => el.id === "allowedExtensions", "the extensions field");
	await page.keyboard.type("pdf, png");
	await tabTo(page, (el) => el.id === "requireUploaderEmail", "the e-mail checkbox");
	await page.keyboard.press("Space");
	await tabTo(page, (el) => el.text === "Create the link", "the submit button");
	await shot(page, "dashboard-keyboard");
	await page.keyboard.press("Enter");
	await expect(page.getByRole("heading", { name: /Your link is ready/ })).toBeVisible();
	await tabTo(page, (el) => el.id === "upload-url", "the upload URL");
	const { items } = await api.listLinks();
	expect(items.map((l) => l.title)).toEqual(["Keyboard only"]);
	const { link } = await api.getLink(items[0]?.id ?? "");
	expect(link.settings).toMatchObject({
		maxFileBytes: 20 * MiB,
		allowedExtensions: ["pdf", "png"],
		requireUploaderEmail: true,
	});
});
