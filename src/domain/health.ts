/**
 * Readiness (GET /readyz, docs/operations.md#health-checks): which
 * dependencies are checked, which secrets must be set, and how the checks'
 * outcomes make one answer. Pure: src/api/routes/health.ts runs the checks.
 */

/** Every readiness check, in the order the answer lists them. */
export const READINESS_CHECKS = [
	"d1",
	"r2",
	"durable-objects",
	"queue-link-commands",
	"queue-webhook-deliveries",
	"secrets",
	"access",
] as const;
export type ReadinessCheck = (typeof READINESS_CHECKS)[number];

/**
 * Secrets the service cannot serve links without: LINK_ID_SECRET (every link
 * id's MAC: unset, link routes answer 500) and RETRY_TOKEN_SECRET (202 answers
 * without a Retry-Token). ADMIN_TOKEN is optional (unset: no admin by token).
 */
export const REQUIRED_SECRETS = ["LINK_ID_SECRET", "RETRY_TOKEN_SECRET"] as const;

/** Each check's budget; a check that takes longer fails as "timed out". */
export const CHECK_TIMEOUT_MS = 2_000;

/** One check's outcome: a short reason when it failed (never an error's text or a value). */
export type CheckOutcome = { ok: true } | { ok: false; reason: string };

/** As the answer shows it. */
export type CheckReport = { ok: boolean; ms: number; reason?: string };

/** The required secrets that are unset or empty (names only). */
export function missingSecrets(env: Partial<Record<string, unknown>>): string[] {
	return REQUIRED_SECRETS.filter((name) => {
		const value = env[name];
		return typeof value !== "string" || value.length === 0;
	});
}

/** The service is ready when every check is; `failing` names the others in order. */
export function readiness(checks: Record<ReadinessCheck, CheckReport>): {
	ready: boolean;
	failing: ReadinessCheck[];
} {
	const failing = READINESS_CHECKS.filter((name) => !checks[name].ok);
	return { ready: failing.length === 0, failing };
}
