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
						LINK_ID_SECRET: "test-link-id-secret",
						// The origin of test/helpers.ts's requests: upload URLs name it.
						PUBLIC_ORIGIN: "https://receive.test",
						// Retries without backoff, so the dead-letter path runs in test time.
						RETRY_BACKOFF_BASE_SECONDS: "0",
						// Model-based test: cases per run, and a seed/path to replay a failure.
						MODEL_RUNS: process.env.MODEL_RUNS ?? "200",
						MODEL_SEED: process.env.MODEL_SEED ?? "",
						MODEL_PATH: process.env.MODEL_PATH ?? "",
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
						"webhook-deliveries": {
							maxBatchSize: 10,
							maxBatchTimeout: 0.05,
							maxRetries: 3,
							retryDelay: 0,
							deadLetterQueue: "webhook-deliveries-dlq",
						},
						"webhook-deliveries-dlq": {
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
			setupFiles: ["./test/setup/apply-migrations.ts", "./test/setup/capture-logs.ts"],
			include: ["test/**/*.test.ts"],
			testTimeout: 30_000,
			// Injected faults log on purpose; show logs only for failing tests.
			silent: process.env.MODEL_VERBOSE ? false : ("passed-only" as const),
		},
	};
});
