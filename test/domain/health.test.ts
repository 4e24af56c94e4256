/** Readiness rules (src/domain/health.ts). */
import { describe, expect, it } from "vitest";
import {
	type CheckReport,
	missingSecrets,
	READINESS_CHECKS,
	readiness,
} from "../../src/domain/health";

const all = (report: CheckReport) =>
	Object.fromEntries(READINESS_CHECKS.map((name) => [name, report])) as Record<
		(typeof READINESS_CHECKS)[number],
		CheckReport
	>;

describe("readiness", () => {
	it("is ready when every check is ok", () => {
		expect(readiness(all({ ok: true, ms: 1 }))).toEqual({ ready: true, failing: [] });
	});

	it("lists the failing checks in check order", () => {
		const checks = all({ ok: true, ms: 1 });
		checks.secrets = { ok: false, ms: 0, reason: "not set: LINK_ID_SECRET" };
		checks.d1 = { ok: false, ms: 2000, reason: "timed out" };
		expect(readiness(checks)).toEqual({ ready: false, failing: ["d1", "secrets"] });
	});
});

describe("missingSecrets", () => {
	it("names unset and empty required secrets, never ADMIN_TOKEN", () => {
		expect(missingSecrets({ LINK_ID_SECRET: "x", RETRY_TOKEN_SECRET: "y" })).toEqual([]);
		expect(missingSecrets({ LINK_ID_SECRET: "", ADMIN_TOKEN: undefined })).toEqual([
			"LINK_ID_SECRET",
			"RETRY_TOKEN_SECRET",
		]);
	});
});
