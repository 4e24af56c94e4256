/**
 * GET /healthz (liveness: the Worker answers, no I/O) and GET /readyz
 * (readiness: D1 with its schema, R2, the Durable Object namespace, both
 * queue producers, the required secrets, the Access configuration), each
 * check time-bounded (docs/operations.md#health-checks). No credentials are
 * needed and no value, error text or internal detail is shown: check names
 * and short reasons only; a failing check's error is logged by name. Like
 * /openapi.json and /docs, they are the service's own routes, outside the
 * API's OpenAPI document (docs/operations.md documents them).
 */
import { Hono } from "hono";
import type { AppEnv } from "../../app-env";
import { missingTables } from "../../d1/health";
import { probeStub } from "../../do/stub";
import { accessConfig } from "../../domain/access";
import {
	CHECK_TIMEOUT_MS,
	type CheckOutcome,
	type CheckReport,
	missingSecrets,
	READINESS_CHECKS,
	type ReadinessCheck,
	readiness,
} from "../../domain/health";
import { ProblemError, problem } from "../../domain/problems";
import { logEvent } from "../../lib/log";
import { R2Keys } from "../../storage/names";
import { filesStore } from "../../storage/r2";

const OK: CheckOutcome = { ok: true };
const failed = (reason: string): CheckOutcome => ({ ok: false, reason });

/**
 * A queue producer is reachable when its metrics can be read: a round trip
 * to the queue that sends no message. A runtime without `metrics()` leaves
 * the binding's presence as the only check.
 */
async function queueCheck(queue: Queue | undefined): Promise<CheckOutcome> {
	if (!queue || typeof queue.send !== "function") return failed("binding missing");
	if (typeof queue.metrics === "function") await queue.metrics();
	return OK;
}

const CHECKS: Record<ReadinessCheck, (env: Env) => Promise<CheckOutcome>> = {
	d1: async (env) => {
		if (!env.DB) return failed("binding missing");
		const missing = await missingTables(env.DB);
		return missing.length === 0 ? OK : failed("migrations not applied");
	},
	r2: async (env) => {
		if (!env.FILES) return failed("binding missing");
		await filesStore(env).probe(R2Keys.healthProbe);
		return OK;
	},
	"durable-objects": async (env) => {
		if (!env.LINK_DO) return failed("binding missing");
		return (await probeStub(env).ping()) === "pong" ? OK : failed("unexpected answer");
	},
	"queue-link-commands": (env) => queueCheck(env.LINK_COMMANDS),
	"queue-webhook-deliveries": (env) => queueCheck(env.WEBHOOK_DELIVERIES),
	secrets: async (env) => {
		const missing = missingSecrets(env as unknown as Record<string, unknown>);
		return missing.length === 0 ? OK : failed(`not set: ${missing.join(", ")}`);
	},
	access: async (env) => {
		const config = accessConfig(env);
		return config.kind === "invalid" ? failed(config.reason) : OK;
	},
};

/** Runs one check within its budget; a throw or a timeout is a failure with a short reason. */
async function run(name: ReadinessCheck, env: Env): Promise<CheckReport> {
	const started = Date.now();
	let timer: ReturnType<typeof setTimeout> | null = null;
	const timeout = new Promise<CheckOutcome>((resolve) => {
		timer = setTimeout(() => resolve(failed("timed out")), CHECK_TIMEOUT_MS);
	});
	const outcome = await Promise.race([
		CHECKS[name](env).catch((error: unknown) => {
			logEvent(
				"readyz.check-failed",
				{ check: name, error: error instanceof Error ? error.name : "error" },
				"error",
			);
			return failed("unreachable");
		}),
		timeout,
	]);
	if (timer !== null) clearTimeout(timer);
	const ms = Date.now() - started;
	return outcome.ok ? { ok: true, ms } : { ok: false, ms, reason: outcome.reason };
}

export const health = new Hono<AppEnv>()
	.get("/healthz", (c) => {
		c.header("Cache-Control", "no-store");
		return c.json({ status: "ok" as const });
	})
	.get("/readyz", async (c) => {
		const reports = await Promise.all(READINESS_CHECKS.map((name) => run(name, c.env)));
		const checks = Object.fromEntries(
			READINESS_CHECKS.map((name, i) => [name, reports[i]]),
		) as Record<ReadinessCheck, CheckReport>;
		const { ready, failing } = readiness(checks);
		if (!ready)
			throw new ProblemError(
				problem("not-ready", `Failing: ${failing.join(", ")}.`, { extra: { checks, failing } }),
			);
		c.header("Cache-Control", "no-store");
		return c.json({ status: "ready" as const, checks });
	});
