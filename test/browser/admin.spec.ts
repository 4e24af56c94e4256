/**
 * The admin console in Chromium: sign-in, dead letters produced for real
 * (a fault makes a command fail every retry until the queue dead-letters
 * it), replayed with the keyboard alone until the live status says
 * succeeded, discarded behind the confirmation; owners created with the key
 * shown once and rotated; links filtered and audited; a 390 px wide screen.
 * axe runs on every page; each test saves screenshots.
 */
import type { Locator, Page } from "@playwright/test";
import { OwnerClient } from "../../src/client/owner.ts";
import {
	adminApi,
	adminToken,
	baseUrl,
	expect,
	expectAccessible,
	newOwner,
	shot,
	signIn,
	test,
} from "./fixtures.ts";

/** Installs (or with `{}` clears) test faults on a link's Durable Object (test/fault-worker.ts). */
async function setFaults(linkId: string, faults: Record<string, unknown>): Promise<void> {
	const res = await fetch(`${baseUrl()}/__test/faults`, {
		method: "POST",
		headers: { Authorization: `Bearer ${adminToken()}`, "Content-Type": "application/json" },
		body: JSON.stringify({ linkId, faults }),
	});
	expect(res.status).toBe(204);
}

/** Polls the API until the link's pending dead letter exists; answers its id. */
async function pendingDeadLetter(linkId: string): Promise<string> {
	const api = adminApi();
	const deadline = Date.now() + 90_000;
	for (;;) {
		const { items } = await api.listDeadLetters({ linkId, status: "pending" });
		if (items[0]) return items[0].id;
		if (Date.now() > deadline) throw new Error(`no dead letter for ${linkId}`);
		await new Promise((r) => setTimeout(r, 500));
	}
}

/** A link whose `kind` command fails in `step` every time, issued and dead-lettered for real. */
async function deadLettered(
	api: OwnerClient,
	kind: "revoke" | "delete",
	step: string,
): Promise<{ linkId: string; commandId: string; deadLetterId: string }> {
	const { link } = await api.createLink({ title: `Dead ${kind}` });
	await setFaults(link.id, { failStep: { [step]: 1000 } });
	const { command } = kind === "revoke" ? await api.revoke(link.id) : await api.delete(link.id);
	return { linkId: link.id, commandId: command.id, deadLetterId: "" };
}

/** Presses Tab until `target` has the focus (keyboard-only use): fails if it never does. */
async function tabTo(page: Page, target: Locator, max = 60): Promise<void> {
	for (let i = 0; i < max; i++) {
		await page.keyboard.press("Tab");
		if (await target.evaluate((el) => el === el.ownerDocument.activeElement)) return;
	}
	throw new Error("Tab never reached the element");
}

test("the admin signs in with the token; an owner's key is refused", async ({ page }) => {
	const { apiKey } = await newOwner("Key Holder");
	await page.goto("/admin");
	await expect(page).toHaveURL(/\/admin\/sign-in/);
	await expectAccessible(page, "admin sign-in");
	await shot(page, "admin-sign-in");
	await page.getByLabel("Admin token").fill(apiKey);
	await page.getByRole("button", { name: "Sign in" }).click();
	await expect(page.getByRole("alert")).toContainText("admin token is not valid");
	await signIn(page, "admin", adminToken());
	await expect(page).toHaveURL(/\/admin$/);
	await expect(page.getByRole("heading", { level: 1 })).toHaveText("Admin console");
	const nav = page.getByRole("navigation", { name: "Main" });
	for (const name of ["Owners", "Links", "Dead letters", "Sign out"])
		await expect(nav.getByRole(name === "Sign out" ? "button" : "link", { name })).toBeVisible();
	await expectAccessible(page, "admin overview");
	await shot(page, "admin-home");
});

test("dead letters: listed and filtered, replayed with the keyboard until succeeded, discarded behind a confirmation", async ({
	page,
}) => {
	const { api } = await newOwner("Dee Letter");
	const replayed = await deadLettered(api, "delete", "purge-objects");
	const discarded = await deadLettered(api, "revoke", "cleanup-uploads");
	replayed.deadLetterId = await pendingDeadLetter(replayed.linkId);
	discarded.deadLetterId = await pendingDeadLetter(discarded.linkId);
	for (const d of [replayed, discarded])
		expect((await api.getCommand(d.commandId)).status).toBe("dead_lettered");

	await signIn(page, "admin", adminToken());
	await page
		.getByRole("navigation", { name: "Main" })
		.getByRole("link", { name: "Dead letters" })
		.click();
	await page.getByLabel("Status").selectOption("pending");
	await page.getByRole("button", { name: "Filter" }).click();
	await expect(page).toHaveURL(/status=pending/);
	for (const d of [replayed, discarded])
		await expect(page.locator(`tr[data-dead-letter="${d.deadLetterId}"]`)).toBeVisible();
	await expectAccessible(page, "dead-letter list");
	await shot(page, "admin-dead-letters");

	// Filter by link: only that link's dead letter.
	await page.getByLabel("Link id").fill(replayed.linkId);
	await page.getByRole("button", { name: "Filter" }).click();
	await expect(page.getByLabel("Link id")).toHaveValue(replayed.linkId);
	await expect(page.getByLabel("Status")).toHaveValue("pending");
	await expect(page.locator("tr[data-dead-letter]")).toHaveCount(1);
	await expect(page.locator(`tr[data-dead-letter="${replayed.deadLetterId}"]`)).toBeVisible();

	// Keyboard only: open the dead letter, then replay it.
	await tabTo(page, page.getByRole("link", { name: /^Inspect/ }));
	await page.keyboard.press("Enter");
	await expect(page).toHaveURL(new RegExp(`/admin/dead-letters/${replayed.deadLetterId}$`));
	await expect(page.getByText("injected failure in step purge-objects").first()).toBeVisible();
	await expect(page.locator("pre.message-body")).toContainText(
		`"commandId": "${replayed.commandId}"`,
	);
	await expect(page.locator(".command-status .badge")).toHaveText("dead-lettered");
	await expectAccessible(page, "dead-letter detail");
	await shot(page, "admin-dead-letter");

	await setFaults(replayed.linkId, {});
	await tabTo(page, page.getByRole("button", { name: "Replay" }));
	await page.keyboard.press("Enter");
	await expect(page.getByText("Replayed: the command was sent again")).toBeVisible();
	const live = page.locator(".command-status [data-live-command]");
	await expect(live).toHaveAttribute("data-final", "1", { timeout: 60_000 });
	await expect(live).toHaveText("succeeded");
	await expect(page.getByRole("button", { name: "Replay" })).toHaveCount(0);
	await expectAccessible(page, "dead letter after replay");
	await shot(page, "admin-replayed");
	expect((await api.getCommand(replayed.commandId)).status).toBe("succeeded");

	// Discard the other one: a confirmation step first, and Cancel changes nothing.
	await page.goto(`/admin/dead-letters/${discarded.deadLetterId}`);
	await page.getByRole("link", { name: "Discard…" }).click();
	await expect(page.getByRole("heading", { level: 1 })).toHaveText("Discard this dead letter?");
	await expectAccessible(page, "discard confirmation");
	await shot(page, "admin-discard-confirm");
	await page.getByRole("link", { name: "Cancel" }).click();
	await expect(page).toHaveURL(new RegExp(`/admin/dead-letters/${discarded.deadLetterId}$`));
	expect((await api.getCommand(discarded.commandId)).status).toBe("dead_lettered");
	await page.getByRole("link", { name: "Discard…" }).click();
	await page.getByRole("button", { name: "Discard the command" }).click();
	await expect(page.getByText("Discarded: the command was cancelled.")).toBeVisible();
	await expect(page.locator("h1 .badge")).toHaveText("discarded");
	const badge = page.locator(".command-status .badge");
	await expect(badge).toHaveText("cancelled");
	await expect(badge).toHaveAttribute("data-final", "1");
	await expect(page.getByRole("button", { name: "Replay" })).toHaveCount(0);
	await expectAccessible(page, "dead letter after discard");
	await shot(page, "admin-discarded");
	expect((await api.getCommand(discarded.commandId)).status).toBe("cancelled");

	// Handled dead letters say so, in the list too.
	await page.goto(`/admin/dead-letters?linkId=${discarded.linkId}`);
	await expect(page.locator(`tr[data-dead-letter="${discarded.deadLetterId}"] .badge`)).toHaveText(
		"discarded",
	);

	// The detail page at a phone's width.
	await page.setViewportSize({ width: 390, height: 844 });
	await page.goto(`/admin/dead-letters/${replayed.deadLetterId}`);
	expect(
		await page.evaluate<number>(
			"document.documentElement.scrollWidth - document.documentElement.clientWidth",
		),
	).toBeLessThanOrEqual(0);
	await shot(page, "admin-mobile-dead-letter");
});

test("links: filtered by state and owner (filters kept), audited with its findings in words", async ({
	page,
}) => {
	const { api, ownerId } = await newOwner("Lin Kowner");
	const { link: open } = await api.createLink({ title: "Still open" });
	const { link: closed } = await api.createLink({ title: "Revoked one" });
	const { command } = await api.revoke(closed.id);
	expect((await api.waitForCommand(command.id)).status).toBe("succeeded");

	await signIn(page, "admin", adminToken());
	await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Links" }).click();
	await expect(page.locator(`tr[data-link="${open.id}"]`)).toBeVisible();
	await page.getByLabel("State").selectOption("revoked");
	await page.getByLabel("Owner id").fill(ownerId);
	await page.getByRole("button", { name: "Filter" }).click();
	await expect(page).toHaveURL(/state=revoked/);
	await expect(page.getByLabel("State")).toHaveValue("revoked");
	await expect(page.getByLabel("Owner id")).toHaveValue(ownerId);
	await expect(page.locator("tr[data-link]")).toHaveCount(1);
	await expect(page.locator(`tr[data-link="${closed.id}"] .badge`)).toHaveText("revoked");
	await expectAccessible(page, "links list");
	await shot(page, "admin-links");

	await page.getByRole("link", { name: "Audit link Revoked one" }).click();
	await expect(page.getByRole("heading", { level: 1 })).toHaveText("Audit of “Revoked one”");
	await expect(page.locator("[data-audit]")).toHaveAttribute("data-audit", "clean");
	await expect(page.getByText("No findings.")).toBeVisible();
	await expectAccessible(page, "audit page");
	await shot(page, "admin-audit");
	await page.getByRole("button", { name: "Sweep and audit" }).click();
	await expect(page.getByText("due work was swept first")).toBeVisible();
	await expect(page.locator("[data-audit]")).toHaveAttribute("data-audit", "clean");

	// Back to the owner's links: every state.
	await page.getByRole("link", { name: "This owner's links" }).click();
	await expect(page.locator("tr[data-link]")).toHaveCount(2);
});

test("at 390 px the console fits the screen (tables scroll inside their frame)", async ({
	page,
}) => {
	await page.setViewportSize({ width: 390, height: 844 });
	const { api } = await newOwner("Small Screen");
	await api.createLink({ title: "A link on a phone" });
	await signIn(page, "admin", adminToken());
	for (const path of ["/admin", "/admin/owners", "/admin/links", "/admin/dead-letters"]) {
		await page.goto(path);
		// A string: these tests are type-checked without the DOM library.
		const overflow = await page.evaluate<number>(
			"document.documentElement.scrollWidth - document.documentElement.clientWidth",
		);
		expect(overflow, `horizontal overflow on ${path}`).toBeLessThanOrEqual(0);
		await expectAccessible(page, `${path} at 390 px`);
	}
	await page.goto("/admin/links");
	await shot(page, "admin-mobile");
});

test("owners: created with the key shown once (copy button), listed, key rotated behind a confirmation", async ({
	page,
	context,
}) => {
	await context.grantPermissions(["clipboard-read", "clipboard-write"]);
	await signIn(page, "admin", adminToken());
	await page
		.getByRole("navigation", { name: "Main" })
		.getByRole("link", { name: "Owners" })
		.click();
	await expectAccessible(page, "owners list");
	// A refused form keeps its values and says what is wrong, next to the field.
	await page.getByLabel("Name").fill("Olive Owner");
	await page.getByLabel("E-mail (optional)").fill("olive@example");
	await page.getByRole("button", { name: "Create owner" }).click();
	await expect(page.getByText("Enter an e-mail address such as ann@example.com.")).toBeVisible();
	await expect(page.getByLabel("Name")).toHaveValue("Olive Owner");
	await expect(page.getByLabel("E-mail (optional)")).toHaveAttribute("aria-invalid", "true");
	await expectAccessible(page, "owner form with an error");

	await page.getByLabel("E-mail (optional)").fill("olive@example.com");
	await page.getByRole("button", { name: "Create owner" }).click();
	await expect(page.getByRole("heading", { level: 1 })).toHaveText("Owner created");
	await expect(page.getByText("Copy it now: this is the only time it is shown.")).toBeVisible();
	const keyField = page.getByLabel("API key", { exact: true });
	const firstKey = await keyField.inputValue();
	expect(firstKey).toMatch(/^rlk_/);
	await page.getByRole("button", { name: "Copy" }).click();
	await expect(page.getByText("Copied.")).toBeVisible();
	expect(await page.evaluate<string>("navigator.clipboard.readText()")).toBe(firstKey);
	await expectAccessible(page, "owner created");
	await shot(page, "admin-owner-created");
	const api = new OwnerClient(baseUrl(), { apiKey: firstKey });
	await api.listLinks();

	// Listed by its key's prefix; no later page shows the key.
	await page.getByRole("link", { name: "All owners" }).click();
	const row = page.locator("tr[data-owner]", { hasText: "olive@example.com" });
	await expect(row).toContainText(`${firstKey.slice(0, 8)}…`);
	expect(await page.content()).not.toContain(firstKey);
	await shot(page, "admin-owners");

	// Rotation: the confirmation says what stops working; Cancel changes nothing.
	await row.getByRole("link", { name: "Olive Owner", exact: true }).click();
	await expectAccessible(page, "owner page");
	await page.getByRole("link", { name: "Rotate key…" }).click();
	await expect(
		page.getByText(`The current key (${firstKey.slice(0, 8)}…) stops working`),
	).toBeVisible();
	await expectAccessible(page, "rotate confirmation");
	await page.getByRole("link", { name: "Cancel" }).click();
	await api.listLinks();
	await page.getByRole("link", { name: "Rotate key…" }).click();
	await page.getByRole("button", { name: "Rotate the key" }).click();
	await expect(page.getByRole("heading", { level: 1 })).toHaveText("Olive Owner's key was rotated");
	const newKey = await page.getByLabel("API key", { exact: true }).inputValue();
	expect(newKey).toMatch(/^rlk_/);
	expect(newKey).not.toBe(firstKey);
	await expectAccessible(page, "key rotated");
	await shot(page, "admin-key-rotated");
	const old = await api.request("GET", "/api/links");
	expect(old.status).toBe(401);
	await old.body?.cancel();
	await api.as({ apiKey: newKey }).listLinks();
	await page.goto(page.url().replace(/\/rotate$/, ""));
	expect(await page.content()).not.toContain(newKey);
});
