/**
 * The whole journey in two browsers, as issue 12 describes it: an owner signs
 * in and creates a link (20 MiB per file, pdf and png) through the dashboard;
 * an uploader, in a second browser context with nothing but the upload URL,
 * sends a 12 MiB file by the file chooser and a 1 KiB file by drag and drop
 * and sees both received; the owner then sees both on the link's page and
 * downloads one, byte for byte the file that was sent.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { expect, expectAccessible, newOwner, shot, signIn, test } from "./fixtures.ts";
import { chooseFiles, dropFile, expectReceived, MiB, makeFile } from "./uploader-kit.ts";

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

test("owner creates a link, an uploader in another browser sends two files, the owner downloads one", async ({
	page,
	browser,
}) => {
	const { apiKey } = await newOwner("Olga Owner");
	await signIn(page, "owner", apiKey);
	await page.getByRole("link", { name: "Create a link" }).click();
	await page.getByLabel("Title").fill("Signed contracts");
	await page.getByLabel("Largest file (MiB)").fill("20");
	await page.getByLabel("Allowed extensions").fill("pdf, png");
	await page.getByRole("button", { name: "Create the link" }).click();
	const uploadUrl = await page.getByRole("textbox", { name: "Upload link" }).inputValue();
	expect(uploadUrl).toContain("#");

	// The uploader: another browser context (no cookie, no key), only the URL.
	const uploader = await browser.newContext();
	try {
		const up = await uploader.newPage();
		await up.goto(uploadUrl);
		await expect(up.getByRole("heading", { level: 1 })).toHaveText("Signed contracts");
		const big = makeFile("contract-signed.pdf", 12 * MiB);
		const small = makeFile("stamp.png", 1024);
		await chooseFiles(up, big);
		await dropFile(up, small.name, small.bytes);
		await expectReceived(up, big.name, 120_000);
		await expectReceived(up, small.name, 120_000);
		await expect(up.locator(".delivery .total")).toHaveText("Received 2 of 2 files.");
		await shot(up, "journey-uploader-received");

		// The owner sees both on the link's page and downloads the big one.
		await page.reload();
		const files = page.getByRole("region", { name: "Files received" });
		await expect(files.getByRole("row", { name: /contract-signed\.pdf/ })).toBeVisible();
		await expect(files.getByRole("row", { name: /stamp\.png/ })).toBeVisible();
		await expectAccessible(page, "link page with the uploader's files");
		await shot(page, "journey-owner-files");
		const downloading = page.waitForEvent("download");
		await page.getByRole("link", { name: "Download contract-signed.pdf" }).click();
		const download = await downloading;
		expect(download.suggestedFilename()).toBe("contract-signed.pdf");
		expect(sha256(readFileSync(await download.path()))).toBe(big.sha256);
	} finally {
		await uploader.close();
	}
});
