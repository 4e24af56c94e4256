// Browser tests (`npm run test:browser`): @playwright/test driving Debian's
// Chromium (/usr/bin/chromium; `npx playwright install` cannot download
// here, and .ci/run installs it with apt when missing) against one
// `wrangler dev` that test/browser/global-setup.ts starts for the run.
// Screenshots go to test-results/screenshots/ (docs/screenshots/ with
// `npm run screenshots`).
import { defineConfig } from "@playwright/test";

export default defineConfig({
	testDir: "test/browser",
	testMatch: "**/*.spec.ts",
	globalSetup: "./test/browser/global-setup.ts",
	// Two cores: one worker drives the browser while wrangler dev serves it.
	workers: 1,
	fullyParallel: false,
	forbidOnly: true,
	retries: 0,
	timeout: 120_000,
	expect: { timeout: 20_000 },
	outputDir: "test-results/browser",
	reporter: [["list"]],
	use: {
		browserName: "chromium",
		launchOptions: {
			executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
			args: [
				"--no-sandbox",
				"--disable-gpu",
				"--disable-quic",
				"--no-first-run",
				"--disable-background-networking",
				"--disable-component-update",
				"--disable-sync",
			],
		},
		viewport: { width: 1280, height: 900 },
		trace: "retain-on-failure",
		screenshot: "only-on-failure",
		actionTimeout: 20_000,
	},
});
