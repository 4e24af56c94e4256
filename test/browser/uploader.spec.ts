/**
 * The uploader page at the upload URL (`/r/<linkId>#<secret>`): the link's
 * words and limits, files sent over tus by the file chooser and by drag and
 * drop until "Received", what the owner then holds, refusals before any
 * upload, a wrong secret, a password, and a 390 px screen.
 */
import { createHash } from "node:crypto";
import type { Locator, Page } from "@playwright/test";
import { UploaderClient } from "../../src/client/index.ts";
import { ReceiveLinkError } from "../../src/client/problem.ts";
import { baseUrl, expect, expectAccessible, newOwner, shot, test } from "./fixtures.ts";
import {
	chooseFiles,
	dropFile,
	expectReceived,
	MiB,
	makeFile,
	recordConsole,
	recordUrls,
	row,
	secretOf,
	throttle,
} from "./uploader-kit.ts";

const LIMITS = {
	maxFileBytes: 20 * MiB,
	allowedExtensions: [".pdf", ".png"],
	maxFiles: 5,
	maxTotalBytes: 40 * MiB,
};

test("files sent by the file chooser and by drag and drop are received, and the owner holds the same bytes", async ({
	page,
	context,
}) => {
	const { api } = await newOwner();
	const { link, uploadUrl } = await api.createLink({
		title: "Tax documents 2026",
		description: "Please send your signed forms and a scan of your ID.\nPDF or PNG only.",
		...LIMITS,
	});
	const urls = recordUrls(page);
	const logged = recordConsole(page);
	await page.goto(uploadUrl);
	await expect(page.getByRole("heading", { level: 1 })).toHaveText("Tax documents 2026");
	await expect(page.getByText("Please send your signed forms")).toBeVisible();
	await expect(page.locator(".limits li")).toHaveText([
		"Each file up to 20 MiB.",
		"Only .pdf or .png files.",
		"At most 5 files in all, 40 MiB in total.",
		"You can send 5 more files, up to 40 MiB in total.",
	]);
	await expectAccessible(page, "uploader page, open");
	await shot(page, "uploader-open");

	const big = makeFile("annual-report.pdf", 12 * MiB);
	const small = makeFile("signature.png", 1024);
	await throttle(context, page, 2 * MiB);
	await chooseFiles(page, big);
	await expect(row(page, big.name).locator(".status")).toHaveText(/Sending/);
	await dropFile(page, small.name, small.bytes);
	await expect(row(page, small.name)).toBeVisible();
	const sent = row(page, big.name).locator("progress");
	await expect
		.poll(() => sent.evaluate((p) => Number((p as { value?: number }).value)))
		.toBeGreaterThan(15);
	await shot(page, "uploader-uploading");
	await expectAccessible(page, "uploader page, uploading");

	await expectReceived(page, small.name);
	await expectReceived(page, big.name);
	await expect(page.locator(".delivery .total")).toHaveText("Received 2 of 2 files.");
	await shot(page, "uploader-received");

	const files = (await api.listFiles(link.id)).items;
	expect(files.map((f) => f.name).sort()).toEqual([big.name, small.name].sort());
	const held = files.find((f) => f.name === big.name);
	expect(held?.size).toBe(big.bytes.length);
	const res = await api.download(held?.downloadUrl ?? "");
	const downloaded = Buffer.from(await res.arrayBuffer());
	expect(createHash("sha256").update(downloaded).digest("hex")).toBe(big.sha256);

	// The secret travelled only in the Link-Secret header: never in a requested URL.
	const secret = secretOf(uploadUrl);
	expect(urls.length).toBeGreaterThan(3);
	expect(urls.filter((u) => u.includes(secret))).toEqual([]);
	expect(logged.filter((l) => l.includes(secret))).toEqual([]);
	// A finished upload leaves nothing to resume in localStorage.
	const stored = await page.evaluate(() =>
		Object.keys(localStorage).filter((k) => k.startsWith("tus::")),
	);
	expect(stored).toEqual([]);
});

test("a refused file type and an over-size file are explained before any upload", async ({
	page,
}) => {
	const { api } = await newOwner();
	const { link, uploadUrl } = await api.createLink({ title: "Photos", ...LIMITS });
	let tusRequests = 0;
	page.on("request", (r) => {
		if (r.url().includes("/tus")) tusRequests++;
	});
	await page.goto(uploadUrl);
	await chooseFiles(page, makeFile("notes.txt", 2048));
	await expect(page.locator("ul.notes")).toContainText(
		"“notes.txt” was not added: this link takes only .pdf and .png files.",
	);
	await chooseFiles(page, makeFile("scan.pdf", 21 * MiB));
	await expect(page.locator("ul.notes")).toContainText(
		"“scan.pdf” was not added: it is 21 MiB, and this link takes files up to 20 MiB each.",
	);
	await expectAccessible(page, "uploader page with refusals");
	await shot(page, "uploader-refused");
	expect(tusRequests).toBe(0);
	expect((await api.listUploads(link.id)).items).toEqual([]);
});

test("a wrong or missing secret says the link does not work", async ({ page }) => {
	const { api } = await newOwner();
	const { uploadUrl } = await api.createLink({ title: "Secret" });
	const base = uploadUrl.split("#")[0] ?? "";
	await page.goto(`${base}#${"A".repeat(43)}`);
	await expect(page.getByRole("heading", { level: 1 })).toHaveText("This link does not work");
	await expect(page.getByText("everything after the # sign")).toBeVisible();
	await page.goto(base);
	await expect(page.getByRole("heading", { level: 1 })).toHaveText("This link does not work");
	await expectAccessible(page, "uploader page, broken link");
	await shot(page, "uploader-broken");
});

test("a password-protected link asks for the password and details; a wrong password is explained, the right one works", async ({
	page,
}) => {
	const { api } = await newOwner();
	const { link, uploadUrl } = await api.createLink({
		title: "Contracts",
		password: "correct horse battery",
		requireUploaderName: true,
		requireUploaderEmail: true,
		...LIMITS,
	});
	const logged = recordConsole(page);
	await page.goto(uploadUrl);
	await expect(page.getByRole("button", { name: /browse/i })).toBeHidden();
	await page.getByLabel("Your name").fill("Bea Uploader");
	await page.getByLabel("Your e-mail address").fill("not-an-address");
	await page.getByLabel("Password", { exact: true }).fill("wrong password");
	await page.getByRole("button", { name: "Continue" }).click();
	await expect(page.getByText("Enter an e-mail address such as name@example.com.")).toBeVisible();
	await page.getByLabel("Your e-mail address").fill("bea@example.com");
	await page.getByRole("button", { name: "Continue" }).click();

	const file = makeFile("contract.pdf", 64 * 1024);
	await chooseFiles(page, file);
	const password = page.getByLabel("Password", { exact: true });
	await expect(page.getByText("That password is not right.")).toBeVisible();
	await expect(password).toHaveAttribute("aria-invalid", "true");
	await expect(password).toBeFocused();
	await expectAccessible(page, "uploader page, wrong password");
	await shot(page, "uploader-password");

	await password.fill("correct horse battery");
	await page.keyboard.press("Enter");
	await expectReceived(page, file.name);
	const [held] = (await api.listFiles(link.id)).items;
	expect(held?.uploaderName).toBe("Bea Uploader");
	expect(held?.uploaderEmail).toBe("bea@example.com");
	expect(held?.name).toBe(file.name);
	// Neither the secret nor a password ever reached the console (Uppy logs failed requests).
	const passwords = ["wrong password", "correct horse battery"];
	const secrets = [
		secretOf(uploadUrl),
		...passwords,
		...passwords.map((p) => Buffer.from(p).toString("base64")),
	];
	expect(logged.filter((l) => secrets.some((s) => l.includes(s)))).toEqual([]);
});

test("after too many wrong passwords the page says how long to wait; the right password works once the wait is over", async ({
	page,
}) => {
	const { api } = await newOwner();
	const { uploadUrl } = await api.createLink({
		title: "Contracts",
		password: "correct horse battery",
		...LIMITS,
	});
	// Someone guessed first, through the API: wrong passwords (each wait waited out)
	// until the link makes attempts wait 8 s (5 free failures, then 1, 2, 4, 8 s).
	const guesser = new UploaderClient(uploadUrl, { baseUrl: baseUrl() });
	let waitEnds = 0;
	for (let tries = 0; !waitEnds; tries++) {
		expect(tries, "guesses before the link makes attempts wait 8 s").toBeLessThan(30);
		const error = await guesser
			.init(10, { name: "guess.pdf", password: "wrong guess" })
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(ReceiveLinkError);
		const { code, retryAfter = 0 } = (error as ReceiveLinkError).problem;
		if (code === "password-incorrect") continue;
		expect(code).toBe("too-many-attempts");
		if (retryAfter >= 8) waitEnds = Date.now() + retryAfter * 1000;
		else await new Promise((r) => setTimeout(r, retryAfter * 1000));
	}

	// The uploader now gives the right password: refused unchecked while the link
	// waits, and the page says to wait, then to press Continue again.
	await page.goto(uploadUrl);
	await page.getByLabel("Password", { exact: true }).fill("correct horse battery");
	await page.getByRole("button", { name: "Continue" }).click();
	const file = makeFile("contract.pdf", 64 * 1024);
	await chooseFiles(page, file);
	const password = page.getByLabel("Password", { exact: true });
	await expect(
		page.getByText(
			/Too many wrong passwords were tried on this link\. Wait \d+ seconds, then press Continue again\./,
		),
	).toBeVisible();
	await expect(password).toHaveAttribute("aria-invalid", "true");
	await expectAccessible(page, "uploader page, too many attempts");
	await shot(page, "uploader-too-many-attempts");

	await new Promise((r) => setTimeout(r, Math.max(0, waitEnds - Date.now() + 500)));
	await page.getByRole("button", { name: "Continue" }).click();
	await expectReceived(page, file.name);
});

test("the uploader page works at 390 px wide and with the keyboard alone", async ({ page }) => {
	const { api } = await newOwner();
	const { uploadUrl } = await api.createLink({
		title: "Receipts for the trip to Lisbon",
		description: "Anything you paid for, one file per receipt.",
		requireUploaderName: true,
		...LIMITS,
	});
	await page.setViewportSize({ width: 390, height: 844 });
	await page.goto(uploadUrl);
	// Keyboard only: Tab to the name field, type, Enter; Tab on to the dashboard's "browse files".
	await tabTo(page, page.getByLabel("Your name"));
	await page.keyboard.type("Carl Keyboard");
	await page.keyboard.press("Enter");
	const browse = page.getByRole("button", { name: /browse/i }).first();
	await tabTo(page, browse);
	const chooser = page.waitForEvent("filechooser");
	await page.keyboard.press("Enter");
	const taxi = makeFile("taxi.pdf", 40 * 1024);
	await (await chooser).setFiles(taxi.path);
	await expectReceived(page, "taxi.pdf");
	// Nothing wider than the screen (evaluated in the page, as an expression).
	const overflow = await page.evaluate<number>(
		"document.documentElement.scrollWidth - document.documentElement.clientWidth",
	);
	expect(overflow).toBeLessThanOrEqual(0);
	await expectAccessible(page, "uploader page at 390 px");
	await shot(page, "uploader-mobile");
});

test("a deleted link says so, and that its files were deleted with it", async ({ page }) => {
	const { api } = await newOwner();
	const { link, uploadUrl } = await api.createLink({ title: "Gone" });
	const { command } = await api.delete(link.id);
	expect((await api.waitForCommand(command.id)).status).toBe("succeeded");
	await page.goto(uploadUrl);
	await expect(page.getByRole("heading", { level: 1 })).toHaveText("This link is closed");
	await expect(
		page.getByText("The owner deleted this link, and with it the files sent through it."),
	).toBeVisible();
	await expectAccessible(page, "uploader page, deleted link");
});

/** Presses Tab until `target` has the focus (at most 25 times). */
async function tabTo(page: Page, target: Locator): Promise<void> {
	for (let i = 0; i < 25; i++) {
		await page.keyboard.press("Tab");
		if (await target.evaluate((el) => el === el.ownerDocument.activeElement)) return;
	}
	throw new Error("the keyboard never reached the target");
}
