/**
 * What every browser test shares: the base URL of the server global-setup.ts
 * started, owners made through the JSON API, signing in through the pages,
 * an axe check (no serious or critical violation), screenshots, and a guard
 * that fails a test whose page broke the Content-Security-Policy or threw.
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type Page } from "@playwright/test";
import { OwnerClient } from "../../src/client/owner.ts";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** `npm run screenshots` sets SCREENSHOTS_DIR=docs/screenshots to refresh the committed set. */
export const SCREENSHOTS = process.env.SCREENSHOTS_DIR
	? join(ROOT, process.env.SCREENSHOTS_DIR)
	: join(ROOT, "test-results", "screenshots");

export function baseUrl(): string {
	const url = process.env.BROWSER_BASE_URL;
	if (!url) throw new Error("BROWSER_BASE_URL is unset: run through playwright.config.ts");
	return url;
}

export const adminToken = (): string => process.env.BROWSER_ADMIN_TOKEN ?? "";

/** The JSON API as the admin (setting up owners, reading state the page should show). */
export function adminApi(): OwnerClient {
	return new OwnerClient(baseUrl(), { adminToken: adminToken() });
}

/** A new owner and a client holding its API key. */
export async function newOwner(
	name = "Ann Owner",
): Promise<{ apiKey: string; api: OwnerClient; ownerId: string }> {
	const created = await adminApi().createOwner(name, "ann@example.com");
	return {
		apiKey: created.apiKey,
		ownerId: created.owner.id,
		api: new OwnerClient(baseUrl(), { apiKey: created.apiKey }),
	};
}

/** Signs `page` in to the dashboard (owner) or the console (admin) through the sign-in form. */
export async function signIn(
	page: Page,
	kind: "owner" | "admin",
	credential: string,
): Promise<void> {
	const home = kind === "admin" ? "/admin" : "/app";
	await page.goto(`${home}/sign-in`);
	await page.getByLabel(kind === "admin" ? "Admin token" : "API key").fill(credential);
	await page.getByRole("button", { name: "Sign in" }).click();
	await expect(page).not.toHaveURL(/sign-in/);
}

/** Runs axe on the page as it is now: no serious or critical violation. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
	// Judge a settled page: a colour mid-transition (a status that just changed)
	// is not what anyone reads. Commands now apply in tens of ms, so a test can
	// reach this line while the page's last change is still fading in. Endless
	// animations (a spinner while a paused link is waited out) never settle.
	// Polled from the test (page.evaluate of an expression goes through the
	// DevTools protocol; the test's types carry no DOM):
	// page.waitForFunction compiles its predicate inside the page, which the
	// pages' Content-Security-Policy (no 'unsafe-eval') rightly refuses.
	await expect
		.poll(() =>
			page.evaluate<boolean>(
				`document.getAnimations().every((a) => a.playState !== "running" ||
					a.effect?.getComputedTiming().iterations === Infinity)`,
			),
		)
		.toBe(true);
	const results = await new AxeBuilder({ page }).analyze();
	const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
	expect(
		bad.map(
			(v) =>
				`${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => `${n.target.join(" ")} ${n.html.slice(0, 160)} ${JSON.stringify(n.any[0]?.data ?? null)}`).join(", ")})`,
		),
		`axe on ${what}`,
	).toEqual([]);
}

/** Saves a full-page screenshot as `<name>.png` in SCREENSHOTS. */
export async function shot(page: Page, name: string): Promise<void> {
	mkdirSync(SCREENSHOTS, { recursive: true });
	await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * `test` with the base URL set, and every page of the test watched: a
 * Content-Security-Policy violation or an uncaught error in a page fails the
 * test (pages must work under the strict policy, with no inline script).
 */
export const test = base.extend<{ pageErrors: string[] }>({
	// biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern
	baseURL: async ({}, use) => {
		await use(baseUrl());
	},
	pageErrors: [
		async ({ context }, use) => {
			const errors: string[] = [];
			const watch = (p: Page) => {
				p.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
				p.on("console", (m) => {
					if (m.type() === "error" && /Content Security Policy|Refused to/i.test(m.text()))
						errors.push(`csp: ${m.text()}`);
				});
			};
			context.pages().forEach(watch);
			context.on("page", watch);
			await use(errors);
			expect(errors, "page errors and CSP violations").toEqual([]);
		},
		{ auto: true },
	],
});

export { expect };
