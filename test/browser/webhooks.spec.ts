/**
 * Webhooks in the dashboard: an owner adds an endpoint (a real receiver on
 * loopback) and sees its signing secret once, sends a test event that
 * arrives verified (standardwebhooks), sees the attempt in the delivery log
 * and redelivers it (same webhook-id); a private address is refused in words.
 */
import { startReceiver } from "../../scripts/lib/webhook-receiver.ts";
import { expect, expectAccessible, newOwner, shot, signIn, test } from "./fixtures.ts";

test("an owner adds an endpoint, sends a test event, reads the delivery log and redelivers", async ({
	page,
}) => {
	const receiver = await startReceiver();
	try {
		const { apiKey } = await newOwner("Hook Owner");
		await signIn(page, "owner", apiKey);
		await page.getByRole("link", { name: "Webhooks" }).click();
		await expect(page.getByRole("heading", { level: 1 })).toHaveText("Webhooks");
		await expectAccessible(page, "webhooks page");

		// A private address is refused, in words, with the values kept.
		await page.getByLabel("URL").fill("https://10.0.0.8/hook");
		await page.getByRole("button", { name: "Add the endpoint" }).click();
		await expect(page.getByRole("alert")).toContainText("webhook-url-refused");
		await expect(page.getByLabel("URL")).toHaveValue("https://10.0.0.8/hook");

		await page.getByLabel("URL").fill(receiver.url("/dash"));
		await page.getByLabel("Description (optional)").fill("Office receiver");
		await page.getByLabel(/link\.paused/).check();
		await page.getByRole("button", { name: "Add the endpoint" }).click();
		// Added: the endpoint's page (a redirect: a reload adds nothing), with its secret.
		await expect(page).toHaveURL(/\/app\/webhooks\/whe_[0-9a-z]{20}\?done=created$/);
		const secret = await page.getByRole("textbox", { name: "Signing secret" }).inputValue();
		expect(secret).toMatch(/^whsec_/);
		receiver.trust("/dash", secret);
		await expectAccessible(page, "endpoint added");
		await shot(page, "dashboard-webhook-added");
		await page.reload();
		await page.goto("/app/webhooks");
		await expect(page.getByRole("region", { name: "Your endpoints" }).getByRole("row")).toHaveCount(
			2,
		);
		await page.getByRole("link", { name: receiver.url("/dash") }).click();
		await expect(page.getByRole("textbox", { name: "Signing secret" })).toHaveCount(0);
		await page.getByRole("link", { name: "Show the signing secret" }).click();
		await expect(page.getByRole("textbox", { name: "Signing secret" })).toHaveValue(secret);

		await page.getByRole("button", { name: "Send a test event" }).click();
		await expect(page.getByText("A test event is on its way")).toBeVisible();
		const [first] = await receiver.waitFor("/dash", 1, 30_000);
		expect(first?.verifiedBy).toBe(0);
		expect(JSON.parse(first?.body ?? "{}").type).toBe("webhook.test");

		const log = page.getByRole("region", { name: "Delivery log" });
		await expect(async () => {
			await page.reload();
			await expect(log.getByRole("row", { name: /delivered/ })).toHaveCount(1, { timeout: 500 });
		}).toPass({ timeout: 20_000 });
		await expectAccessible(page, "endpoint page with its delivery log");
		await shot(page, "dashboard-webhook");

		await log
			.getByRole("button", { name: /Redeliver/ })
			.first()
			.click();
		await expect(page.getByText("The event is sent again")).toBeVisible();
		const [, again] = await receiver.waitFor("/dash", 2, 30_000);
		expect(again?.id).toBe(first?.id);
		expect(again?.verifiedBy).toBe(0);

		// At 390 px the endpoint's page fits the screen (the log scrolls inside its frame).
		await page.setViewportSize({ width: 390, height: 844 });
		await page.reload();
		expect(
			await page.evaluate(
				"document.documentElement.scrollWidth - document.documentElement.clientWidth",
			),
		).toBe(0);
		await expectAccessible(page, "endpoint page at 390 px");
		await shot(page, "dashboard-webhook-mobile");
	} finally {
		await receiver.close();
	}
});
