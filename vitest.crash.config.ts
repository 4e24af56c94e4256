// Crash tests (`npm run test:crash`): the real Worker under `wrangler dev`,
// killed with `kill -9` and restarted on the same state (test/crash/). Each
// test file starts and stops its own service; files run one after another.
import { defineConfig } from "vitest/config";

export default defineConfig({
	test: {
		name: "crash",
		environment: "node",
		include: ["test/crash/**/*.crash.ts"],
		fileParallelism: false,
		testTimeout: 300_000,
		hookTimeout: 120_000,
		slowTestThreshold: 60_000,
	},
});
