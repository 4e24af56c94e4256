/** The landing page and sign-in work under the strict CSP, and pass axe. */
import { adminToken, expect, expectAccessible, newOwner, shot, signIn, test } from "./fixtures.ts";

test("the landing page points to the dashboard, the console and the API reference", async ({
	page,
}) => {
	await page.goto("/");
	await expect(page.getByRole("heading", { level: 1 })).toHaveText("Receive links");
	await expect(page.getByRole("link", { name: "Owner dashboard" })).toHaveAttribute("href", "/app");
	await expectAccessible(page, "landing page");
	await shot(page, "home");
});

test("the API reference and the problem catalogue render under the pages' CSP with the site's stylesheet", async ({
	page,
}) => {
	await page.goto("/docs");
	await expect(page.getByRole("heading", { level: 1 })).toHaveText("Receive links API reference");
	// The stylesheet from /assets/ applied: main is the site's centred column.
	await expect(page.locator("main")).toHaveCSS("max-width", "1024px");
	await expectAccessible(page, "API reference");
	await shot(page, "docs");
	await page.getByRole("link", { name: "/docs/problems" }).click();
	await expect(page.locator("#download-destination-refused")).toContainText("403");
	await expectAccessible(page, "problem catalogue");
	await shot(page, "docs-problems");
});

test("an owner signs in with the API key and lands on the dashboard", async ({ page }) => {
	const { apiKey } = await newOwner();
	await page.goto("/app");
	await expect(page).toHaveURL(/\/app\/sign-in/);
	await expectAccessible(page, "sign-in page");
	await shot(page, "app-sign-in");
	await signIn(page, "owner", apiKey);
	await expect(page).toHaveURL(/\/app$/);
});

test("the browser tests' server can inject faults (test/fault-worker.ts), and only with the admin token", async ({
	request,
}) => {
	const { api } = await newOwner();
	const { link } = await api.createLink({ title: "Faults" });
	const refused = await request.post("/__test/faults", { data: { linkId: link.id, faults: {} } });
	expect(refused.status()).toBe(401);
	const ok = await request.post("/__test/faults", {
		headers: { Authorization: `Bearer ${adminToken()}` },
		data: { linkId: link.id, faults: { failStep: { "purge-objects": 100 } } },
	});
	expect(ok.status()).toBe(204);
});
