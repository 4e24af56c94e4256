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
					},
				},
			}),
		],
		test: {
			setupFiles: ["./test/setup/apply-migrations.ts"],
			include: ["test/**/*.test.ts"],
			testTimeout: 30_000,
		},
	};
});
