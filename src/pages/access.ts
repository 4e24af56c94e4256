/**
 * Cloudflare Access sign-in for the dashboard and the console
 * (docs/web.md#cloudflare-access). When ACCESS_TEAM_DOMAIN and ACCESS_AUD
 * are set, every /app and /admin page request must carry a
 * `Cf-Access-Jwt-Assertion` that Access signed for this application: RS256,
 * under a key of the team's published set (fetched from
 * `https://<team>/cdn-cgi/access/certs`, cached per isolate by jose), issuer
 * `https://<team>`, audience ACCESS_AUD, within exp/nbf (30 s of clock skew).
 * Its `email` is the caller on each request (no cookie session: a change of
 * Access identity takes effect on the next request). Off: nothing here runs.
 */
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from "jose";
import * as Owners from "../d1/owners";
import type { SessionKind } from "../d1/sessions";
import {
	type AccessConfig,
	type AccessRefusal,
	accessCaller,
	accessConfig,
} from "../domain/access";
import type { Caller } from "../domain/actor";
import { logEvent } from "../lib/log";

export const ACCESS_HEADER = "Cf-Access-Jwt-Assertion";
/** Seconds of clock difference allowed on exp and nbf. */
export const ACCESS_CLOCK_TOLERANCE_SECONDS = 30;

/** What Access makes of a page request. */
export type AccessOutcome =
	| { kind: "off" }
	| { kind: "caller"; caller: Caller; email: string }
	| { kind: "refused"; refusal: AccessRefusal; email?: string };

/** Key sets handed in with an env (tests), by the env object. */
const injectedKeys = new WeakMap<object, JWTVerifyGetKey>();

/**
 * An env whose Access tokens are checked against `keys` instead of the
 * team's published set. Only code inside the Worker can make one (tests do,
 * with locally generated keys); a request can never name it.
 */
export function envWithAccessKeys(env: Env, keys: JWTVerifyGetKey): Env {
	const scoped: Env = Object.create(env);
	injectedKeys.set(scoped, keys);
	return scoped;
}

/** The team's key set, one per certs URL per isolate (jose caches and refreshes it). */
const remoteKeys = new Map<string, JWTVerifyGetKey>();
function keysFor(env: Env, certsUrl: string): JWTVerifyGetKey {
	const injected = injectedKeys.get(env);
	if (injected) return injected;
	let keys = remoteKeys.get(certsUrl);
	if (!keys) {
		keys = createRemoteJWKSet(new URL(certsUrl), {
			timeoutDuration: 3_000,
			cooldownDuration: 30_000,
			cacheMaxAge: 10 * 60_000,
		});
		remoteKeys.set(certsUrl, keys);
	}
	return keys;
}

/** The Access configuration of this env (the vars, parsed). */
export const accessOf = (env: Env): AccessConfig => accessConfig(env);

/** True for jose's verdicts on the token itself; anything else (keys unreachable) is not the caller's fault. */
const isTokenVerdict = (error: unknown): boolean =>
	error instanceof errors.JWTExpired ||
	error instanceof errors.JWTClaimValidationFailed ||
	error instanceof errors.JWTInvalid ||
	error instanceof errors.JWSInvalid ||
	error instanceof errors.JWSSignatureVerificationFailed ||
	error instanceof errors.JWKSNoMatchingKey ||
	// A token naming no `kid` matches every key of the team's set (Access publishes two): Access
	// always names its key, so such a token is not Access's.
	error instanceof errors.JWKSMultipleMatchingKeys ||
	error instanceof errors.JOSEAlgNotAllowed ||
	error instanceof errors.JOSENotSupported;

/** The e-mail a valid assertion vouches for, or why there is none. */
async function verifiedEmail(
	env: Env,
	config: Extract<AccessConfig, { kind: "on" }>,
	token: string | undefined,
): Promise<{ email: string } | { refusal: AccessRefusal }> {
	if (!token || token.length > 16_384) return { refusal: "access-denied" };
	try {
		const { payload } = await jwtVerify(token, keysFor(env, config.certsUrl), {
			algorithms: ["RS256"],
			issuer: config.issuer,
			audience: config.audience,
			clockTolerance: ACCESS_CLOCK_TOLERANCE_SECONDS,
			requiredClaims: ["exp", "iat"],
		});
		const email = payload.email;
		// A service token's assertion names no e-mail: it is no person to sign in.
		if (typeof email !== "string" || !/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 320)
			return { refusal: "access-denied" };
		return { email };
	} catch (error) {
		if (isTokenVerdict(error)) return { refusal: "access-denied" };
		logEvent(
			"access.keys-unavailable",
			{ error: error instanceof Error ? error.name : "error" },
			"error",
		);
		return { refusal: "access-unavailable" };
	}
}

/**
 * Who this page request is under Access, for the dashboard (`owner`) or the
 * console (`admin`); `off` when Access is not configured (sessions then).
 * A half-set configuration refuses every page (`access-unavailable`) rather
 * than falling back to API keys; GET /readyz names the missing var.
 */
export async function accessIdentity(
	env: Env,
	header: string | undefined,
	kind: SessionKind,
): Promise<AccessOutcome> {
	const config = accessOf(env);
	if (config.kind === "off") return { kind: "off" };
	if (config.kind === "invalid") return { kind: "refused", refusal: "access-unavailable" };
	const verified = await verifiedEmail(env, config, header);
	if ("refusal" in verified) return { kind: "refused", refusal: verified.refusal };
	const ownerIds = kind === "owner" ? await Owners.idsByEmail(env.DB, verified.email) : [];
	const decided = accessCaller(config, kind, verified.email, ownerIds);
	return decided.ok
		? { kind: "caller", caller: decided.caller, email: verified.email }
		: { kind: "refused", refusal: decided.refusal, email: verified.email };
}
