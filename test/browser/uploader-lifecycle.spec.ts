/**
 * The uploader page through the link's lifecycle, with the upload slowed by
 * Chromium's network emulation so that the owner acts while bytes are in
 * flight: a pause longer than tus-js-client's four default retries, a revoke,
 * and a reload of the page mid-upload (the same file continues from the
 * server's offset).
 */
import { createHash } from "node:crypto";
import { expect, expectAccessible, newOwner, shot, test } from "./fixtures.ts";
import {
	chooseFromDisk,
	expectReceived,
	MiB,
	makeFile,
	recordPatches,
	row,
	throttle,
} from "./uploader-kit.ts";

const LIMITS = { maxFileBytes: 20 * MiB, allowedExtensions: [".pdf", ".png"] };

test("a pause during an upload shows the waiting message, and the upload completes after resume", async ({
	page,
	context,
}) => {
	test.setTimeout(180_000);
	const { api } = await newOwner();
	const { link, uploadUrl } = await api.createLink({ title: "Slow and steady", ...LIMITS });
	await page.goto(uploadUrl);
	await throttle(context, page, 1 * MiB);
	const file = makeFile("survey-scan.pdf", 12 * MiB);
	await chooseFromDisk(page, file);
	await expect(row(page, file.name).locator(".status")).toHaveText("Sending…");
	await page.waitForTimeout(1500);
	await api.pause(link.id);

	const notice = page.locator(".link-state");
	await expect(notice).toHaveText(
		"The owner paused this link. Your uploads will continue when it reopens.",
		{ timeout: 30_000 },
	);
	await expect(row(page, file.name).locator(".status")).toHaveText(
		"On hold until the link reopens",
	);
	// Uppy's status bar agrees with the page's list: the share the server holds,
	// not the bytes that left before the pause refused them (it said 100 %).
	await expect
		.poll(async () => {
			const shown = (await page.locator(".uppy-StatusBar-statusPrimary").textContent()) ?? "";
			const uppy = Number(/Uploading: (\d+)%/.exec(shown)?.[1] ?? Number.NaN);
			const list = Number(await row(page, file.name).locator("progress").getAttribute("value"));
			return uppy < 100 && Math.abs(uppy - list) <= 1 ? "agree" : `Uppy "${shown}", list ${list}%`;
		})
		.toBe("agree");
	// Its time left would stand still while held: hidden until the link reopens.
	await expect(page.locator(".uppy-StatusBar-statusSecondary")).toBeHidden();
	await shot(page, "uploader-paused");
	await expectAccessible(page, "uploader page, link paused");
	// Longer than tus-js-client's default retries (0.1 + 1 + 3 + 5 s) would wait.
	await page.waitForTimeout(14_000);
	await expect(notice).toContainText("paused");
	await expect(row(page, file.name).locator(".status")).not.toHaveText("Not received");

	await api.resume(link.id);
	await expect(notice).toHaveText("The link is open again. Your uploads continue.", {
		timeout: 15_000,
	});
	// The details come back with the upload (or it has already finished).
	await expect
		.poll(
			async () =>
				(await page.locator(".uppy-StatusBar-statusSecondary").isVisible()) ||
				(await page.locator(".uppy-StatusBar.is-complete").count()) > 0,
		)
		.toBe(true);
	await expectReceived(page, file.name, 90_000);
	const files = (await api.listFiles(link.id)).items;
	expect(files.map((f) => [f.name, f.size])).toEqual([[file.name, file.bytes.length]]);
});

test("a revoke during an upload replaces the page with the closed page", async ({
	page,
	context,
}) => {
	const { api } = await newOwner();
	const { link, uploadUrl } = await api.createLink({ title: "Soon closed", ...LIMITS });
	await page.goto(uploadUrl);
	await throttle(context, page, 1 * MiB);
	const file = makeFile("evidence.pdf", 12 * MiB);
	await chooseFromDisk(page, file);
	await expect(row(page, file.name).locator(".status")).toHaveText("Sending…");
	await page.waitForTimeout(1500);

	const { command } = await api.revoke(link.id);
	const done = await api.waitForCommand(command.id);
	expect(done.status).toBe("succeeded");
	await expect(page.getByRole("heading", { level: 1 })).toHaveText("This link is closed", {
		timeout: 30_000,
	});
	await expect(
		page.getByText(
			"The owner revoked this link. It takes no more files; files you sent before are safe with the owner.",
		),
	).toBeVisible();
	await expect(row(page, file.name)).toContainText(
		"Not received: The link closed before this file arrived.",
	);
	await expect(page.locator(".uppy-Dashboard")).toHaveCount(0);
	await expectAccessible(page, "uploader page, link closed");
	await shot(page, "uploader-closed");
	const stored = await page.evaluate(() =>
		Object.keys(localStorage).filter((k) => k.startsWith("tus::")),
	);
	expect(stored).toEqual([]);

	// Opened again later, the link says at once that it is closed.
	await page.reload();
	await expect(page.getByRole("heading", { level: 1 })).toHaveText("This link is closed");
	await expect(page.getByText("The owner revoked this link.")).toBeVisible();
});

test("a reload mid-upload resumes the same file from the server's offset", async ({
	page,
	context,
}) => {
	test.setTimeout(180_000);
	const { api } = await newOwner();
	const { link, uploadUrl } = await api.createLink({ title: "Big scans", ...LIMITS });
	await page.goto(uploadUrl);
	await throttle(context, page, 4 * MiB);
	const file = makeFile("floor-plan.png", 18 * MiB);
	const firstPart = page.waitForResponse(
		(r) => r.request().method() === "PATCH" && r.headers()["upload-offset"] === String(8 * MiB),
		{ timeout: 60_000 },
	);
	await chooseFromDisk(page, file);
	await firstPart;
	const stored = await page.evaluate(() =>
		Object.entries(localStorage).filter(([k]) => k.startsWith("tus::")),
	);
	expect(stored).toHaveLength(1);
	// What the page keeps to resume: the upload URL and the file's name and type, nothing secret.
	const kept = JSON.parse(stored[0]?.[1] ?? "{}") as Record<string, unknown>;
	expect(Object.keys(kept.metadata as object).sort()).toEqual(["filename", "filetype"]);
	expect(JSON.stringify(kept)).not.toContain(new URL(uploadUrl).hash.slice(1));

	await page.reload();
	await expect(page.locator(".notice.resume")).toHaveText(
		"Not finished on your last visit: “floor-plan.png”. Add the same file again and it continues where it stopped.",
	);
	const patches = recordPatches(page);
	await throttle(context, page, -1);
	await chooseFromDisk(page, file);
	await expectReceived(page, file.name, 90_000);
	expect(patches.length).toBeGreaterThan(0);
	expect(patches[0]?.offset).toBeGreaterThanOrEqual(8 * MiB);
	const sentAfterReload = patches.reduce((n, p) => n + p.bytes, 0);
	expect(sentAfterReload).toBeLessThanOrEqual(file.bytes.length - 8 * MiB);

	const files = (await api.listFiles(link.id)).items;
	expect(files).toHaveLength(1);
	expect(files[0]?.size).toBe(file.bytes.length);
	const res = await api.download(files[0]?.downloadUrl ?? "");
	const held = createHash("sha256")
		.update(Buffer.from(await res.arrayBuffer()))
		.digest("hex");
	expect(held).toBe(file.sha256);
	const done = await page.evaluate(() =>
		Object.keys(localStorage).filter((k) => k.startsWith("tus::")),
	);
	expect(done).toEqual([]);
});
