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
