// Node-side end-to-end tests (`npm run test:e2e`): real clients (the
// unmodified tus-js-client, the typed clients of src/client) against the real
// Worker under `wrangler dev`, which test/e2e/global-setup.ts starts once for
// the run. The Workers-runtime tests are vitest.config.ts.
import { defineConfig } from "vitest/config";

export default defineConfig({
	test: {
		name: "e2e",
		environment: "node",
		include: ["test/e2e/**/*.e2e.ts"],
		globalSetup: ["./test/e2e/global-setup.ts"],
		// One wrangler dev serves every file: files one after another, tests in a
		// file in order (each test uses links of its own).
		fileParallelism: false,
		// Uploads of up to 23 MiB through the local proxy, commands polled to their end.
		testTimeout: 180_000,
		hookTimeout: 180_000,
		teardownTimeout: 30_000,
		slowTestThreshold: 10_000,
	},
});
