import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
	const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
	return {
		plugins: [
			cloudflareTest({
				wrangler: { configPath: "./wrangler.toml" },
				miniflare: {
					bindings: {
						TEST_MIGRATIONS: migrations,
						ADMIN_TOKEN: "test-admin-token",
						RETRY_TOKEN_SECRET: "test-retry-token-secret",
						// Retries without backoff, so the dead-letter path runs in test time.
						RETRY_BACKOFF_BASE_SECONDS: "0",
					},
					// Same consumers as wrangler.toml, with short batch timeouts and fewer retries.
					queueConsumers: {
						"link-commands": {
							maxBatchSize: 10,
							maxBatchTimeout: 0.05,
							maxRetries: 3,
							retryDelay: 0,
							deadLetterQueue: "link-commands-dlq",
						},
						"link-commands-dlq": {
							maxBatchSize: 10,
							maxBatchTimeout: 0.05,
							maxRetries: 3,
							retryDelay: 0,
						},
					},
				},
			}),
		],
		test: {
			setupFiles: ["./test/setup/apply-migrations.ts"],
			include: ["test/**/*.test.ts"],
			testTimeout: 30_000,
			// Injected faults log on purpose; show logs only for failing tests.
			silent: "passed-only" as const,
		},
	};
});
