/**
 * GET /healthz and GET /readyz (docs/operations.md#health-checks): ready with
 * every binding in place; each dependency broken in turn (a test env passed
 * to the app, the rest real) makes /readyz a 503 `not-ready` problem naming
 * that check, with a short reason and no secret or error text.
 */
import {
	createExecutionContext,
	runInDurableObject,
	waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { probeStub } from "../../src/do/stub";
import { call } from "../helpers";

type Report = { ok: boolean; ms: number; reason?: string };
type NotReady = {
	status: number;
	code: string;
	detail: string;
	checks: Record<string, Report>;
	failing: string[];
};

/** A request to the app with `overrides` on top of the test env. */
async function withEnv(path: string, overrides: Record<string, unknown>): Promise<Response> {
	const ctx = createExecutionContext();
	const res = await app.fetch(
		new Request(`https://receive.test${path}`),
		{ ...env, ...overrides } as Env,
		ctx,
	);
	await waitOnExecutionContext(ctx);
	return res;
}

const throwing = (what: string) => () => {
	throw new Error(`${what} exploded: secret-looking detail`);
};

/** A D1 binding whose every query answers `all`. */
const fakeDb = (all: () => Promise<{ results: { name: string }[] }>) => ({
	prepare: () => ({ bind: () => ({ all }) }),
});

async function notReady(res: Response): Promise<NotReady> {
	expect(res.status).toBe(503);
	expect(res.headers.get("content-type")).toBe("application/problem+json");
	expect(res.headers.get("cache-control")).toBe("no-store");
	const text = await res.text();
	// No secret value and no error text reaches the answer.
	for (const secret of ["test-admin-token", "test-retry-token-secret", "test-link-id-secret"])
		expect(text).not.toContain(secret);
	expect(text).not.toContain("exploded");
	return JSON.parse(text) as NotReady;
}

describe("GET /healthz", () => {
	it("answers 200 {status: ok}", async () => {
		const res = await call("/healthz");
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ status: "ok" });
	});

	it("touches no dependency: it answers with every binding broken", async () => {
		const broken = Object.fromEntries(
			["DB", "FILES", "LINK_DO", "LINK_COMMANDS", "WEBHOOK_DELIVERIES"].map((k) => [
				k,
				new Proxy({}, { get: throwing(k) }),
			]),
		);
		const res = await withEnv("/healthz", broken);
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ status: "ok" });
	});
});

describe("GET /readyz", () => {
	it("answers 200 with every check ok when every dependency is there", async () => {
		const res = await call("/readyz");
		expect(res.status).toBe(200);
		expect(res.headers.get("cache-control")).toBe("no-store");
		const body = await res.json<{ status: string; checks: Record<string, Report> }>();
		expect(body.status).toBe("ready");
		expect(Object.keys(body.checks)).toEqual([
			"d1",
			"r2",
			"durable-objects",
			"queue-link-commands",
			"queue-webhook-deliveries",
			"secrets",
			"access",
		]);
		for (const report of Object.values(body.checks)) {
			expect(report.ok).toBe(true);
			expect(report.ms).toBeGreaterThanOrEqual(0);
		}
	});

	it("pings a probe object that stays empty: no table, no link, no alarm", async () => {
		expect((await call("/readyz")).status).toBe(200);
		await runInDurableObject(probeStub(env), async (instance, state) => {
			expect(instance.ping()).toBe("pong");
			const tables = state.storage.sql
				.exec<{ n: number }>("SELECT count(*) AS n FROM sqlite_master")
				.one();
			expect(tables.n).toBe(0);
			expect(await state.storage.getAlarm()).toBeNull();
		});
	});

	it("D1 unreachable: not-ready, d1 failing", async () => {
		const body = await notReady(await withEnv("/readyz", { DB: { prepare: throwing("D1") } }));
		expect(body.code).toBe("not-ready");
		expect(body.failing).toEqual(["d1"]);
		expect(body.checks.d1).toMatchObject({ ok: false, reason: "unreachable" });
		expect(body.checks.r2?.ok).toBe(true);
	});

	it("D1 without the migrations: not-ready, migrations not applied", async () => {
		const db = fakeDb(async () => ({ results: [{ name: "owners" }] }));
		const body = await notReady(await withEnv("/readyz", { DB: db }));
		expect(body.failing).toEqual(["d1"]);
		expect(body.checks.d1?.reason).toBe("migrations not applied");
	});

	it("a check that hangs fails as timed out, and the answer still comes", async () => {
		const db = fakeDb(() => new Promise(() => {}));
		const body = await notReady(await withEnv("/readyz", { DB: db }));
		expect(body.failing).toEqual(["d1"]);
		expect(body.checks.d1?.reason).toBe("timed out");
	});

	it("R2 unreachable: not-ready, r2 failing", async () => {
		const body = await notReady(await withEnv("/readyz", { FILES: { head: throwing("R2") } }));
		expect(body.failing).toEqual(["r2"]);
		expect(body.checks.r2?.reason).toBe("unreachable");
	});

	it("the Durable Object namespace missing or failing: durable-objects failing", async () => {
		const missing = await notReady(await withEnv("/readyz", { LINK_DO: undefined }));
		expect(missing.failing).toEqual(["durable-objects"]);
		expect(missing.checks["durable-objects"]?.reason).toBe("binding missing");
		const failing = await notReady(
			await withEnv("/readyz", { LINK_DO: { idFromName: throwing("DO") } }),
		);
		expect(failing.checks["durable-objects"]?.reason).toBe("unreachable");
	});

	it("a queue producer missing or failing: that queue's check fails", async () => {
		const missing = await notReady(await withEnv("/readyz", { LINK_COMMANDS: undefined }));
		expect(missing.failing).toEqual(["queue-link-commands"]);
		expect(missing.checks["queue-link-commands"]?.reason).toBe("binding missing");
		const failing = await notReady(
			await withEnv("/readyz", {
				WEBHOOK_DELIVERIES: { send: throwing("queue"), metrics: throwing("queue") },
			}),
		);
		expect(failing.failing).toEqual(["queue-webhook-deliveries"]);
		expect(failing.checks["queue-webhook-deliveries"]?.reason).toBe("unreachable");
	});

	it("a required secret unset: secrets failing, naming it (never a value)", async () => {
		const body = await notReady(await withEnv("/readyz", { LINK_ID_SECRET: "" }));
		expect(body.failing).toEqual(["secrets"]);
		expect(body.checks.secrets?.reason).toBe("not set: LINK_ID_SECRET");
		expect(body.detail).toBe("Failing: secrets.");
		const both = await notReady(
			await withEnv("/readyz", { LINK_ID_SECRET: undefined, RETRY_TOKEN_SECRET: undefined }),
		);
		expect(both.checks.secrets?.reason).toBe("not set: LINK_ID_SECRET, RETRY_TOKEN_SECRET");
	});

	it("a half-configured Cloudflare Access: access failing, naming the var", async () => {
		const body = await notReady(
			await withEnv("/readyz", { ACCESS_TEAM_DOMAIN: "team.cloudflareaccess.com" }),
		);
		expect(body.failing).toEqual(["access"]);
		expect(body.checks.access?.reason).toBe("ACCESS_TEAM_DOMAIN is set but ACCESS_AUD is not");
	});

	it("several failures are all listed, in check order", async () => {
		const body = await notReady(
			await withEnv("/readyz", { FILES: undefined, DB: undefined, RETRY_TOKEN_SECRET: "" }),
		);
		expect(body.failing).toEqual(["d1", "r2", "secrets"]);
	});
});
