/**
 * Cloudflare Access sign-in for the dashboard and the console
 * (docs/web.md#cloudflare-access), with locally generated RSA keys and
 * tokens: the app runs with the Access vars set and the key set handed in
 * through its env (`envWithAccessKeys`), the rest of the test env real.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import {
	type CryptoKey,
	createLocalJWKSet,
	exportJWK,
	generateKeyPair,
	type JWTVerifyGetKey,
	SignJWT,
} from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { envWithAccessKeys } from "../../src/pages/access";
import { createLink, ORIGIN } from "../helpers";
import { adminClient } from "../owner-client";
import { getPage, signInOwner } from "./pages";

const TEAM = "receive-test.cloudflareaccess.com";
const AUD = "4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2";
const ADMIN_EMAIL = "Boss@Example.com";

let signing: CryptoKey;
let stranger: CryptoKey;
let keys: JWTVerifyGetKey;

beforeAll(async () => {
	const pair = await generateKeyPair("RS256");
	signing = pair.privateKey;
	stranger = (await generateKeyPair("RS256")).privateKey;
	const jwk = { ...(await exportJWK(pair.publicKey)), kid: "team-key-1", alg: "RS256", use: "sig" };
	keys = createLocalJWKSet({ keys: [jwk] });
});

interface TokenOptions {
	email?: string | null;
	key?: CryptoKey;
	issuer?: string;
	audience?: string;
	/** Seconds from now. */
	expiresIn?: number;
	issuedAgo?: number;
}

/** An Access assertion as Access signs it (or as told to differ). */
function token(opts: TokenOptions = {}): Promise<string> {
	const now = Math.floor(Date.now() / 1000);
	const claims = opts.email === null ? {} : { email: opts.email ?? "someone@example.com" };
	return new SignJWT({ ...claims, type: "app", identity_nonce: "n" })
		.setProtectedHeader({ alg: "RS256", kid: "team-key-1" })
		.setIssuer(opts.issuer ?? `https://${TEAM}`)
		.setAudience(opts.audience ?? AUD)
		.setSubject("user-id")
		.setIssuedAt(now - (opts.issuedAgo ?? 10))
		.setExpirationTime(now + (opts.expiresIn ?? 600))
		.sign(opts.key ?? signing);
}

function accessEnv(extra: Record<string, unknown> = {}, keySet: JWTVerifyGetKey = keys): Env {
	return envWithAccessKeys(
		{
			...env,
			ACCESS_TEAM_DOMAIN: TEAM,
			ACCESS_AUD: AUD,
			ACCESS_ADMIN_EMAILS: `other@example.com, ${ADMIN_EMAIL}`,
			...extra,
		} as unknown as Env,
		keySet,
	);
}

/** A page request to the app under Access, with `assertion` as its Cf-Access-Jwt-Assertion. */
async function page(
	path: string,
	assertion: string | null,
	init: { env?: Env; method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Response> {
	const headers: Record<string, string> = { Accept: "text/html", ...init.headers };
	if (assertion !== null) headers["Cf-Access-Jwt-Assertion"] = assertion;
	const ctx = createExecutionContext();
	const res = await app.fetch(
		new Request(`${ORIGIN}${path}`, {
			method: init.method ?? "GET",
			headers,
			body: init.body,
			redirect: "manual",
		}),
		init.env ?? accessEnv(),
		ctx,
	);
	await waitOnExecutionContext(ctx);
	return res;
}

/** A new owner with `email`, and its API key. */
async function ownerWithEmail(email: string) {
	const { owner, apiKey } = await adminClient().createOwner(`Owner ${email}`, email);
	return { ownerId: owner.id, apiKey };
}

const unique = (name: string) => `${name}-${crypto.randomUUID().slice(0, 8)}@example.com`;

async function refused(res: Response, status: number, code: string, heading: string) {
	expect(res.status).toBe(status);
	expect(res.headers.get("content-type")).toMatch(/^text\/html/);
	expect(res.headers.get("set-cookie")).toBeNull();
	const html = await res.text();
	expect(html).toContain(heading);
	expect(html).toContain(`Code: ${code}`);
	return html;
}

describe("the dashboard under Cloudflare Access", () => {
	it("a valid assertion is its e-mail's owner: the dashboard shows that owner's links, no cookie", async () => {
		const email = unique("ana");
		const { apiKey } = await ownerWithEmail(email);
		const { link } = await createLink(apiKey, { title: "Ana's tax papers" });
		const res = await page("/app", await token({ email }));
		expect(res.status).toBe(200);
		expect(res.headers.get("set-cookie")).toBeNull();
		const html = await res.text();
		expect(html).toContain("Ana&#39;s tax papers");
		expect((await page(`/app/links/${link.id}`, await token({ email }))).status).toBe(200);
	});

	it("matches the owner's e-mail case-insensitively", async () => {
		const email = unique("Mixed.Case");
		await ownerWithEmail(email.toUpperCase());
		const res = await page("/app", await token({ email: email.toLowerCase() }));
		expect(res.status).toBe(200);
	});

	it("follows the Access identity on every request: another e-mail sees its own links only", async () => {
		const a = unique("a");
		const b = unique("b");
		const ownerA = await ownerWithEmail(a);
		await ownerWithEmail(b);
		const { link } = await createLink(ownerA.apiKey, { title: "Only for A" });
		expect(await (await page("/app", await token({ email: a }))).text()).toContain("Only for A");
		expect(await (await page("/app", await token({ email: b }))).text()).not.toContain(
			"Only for A",
		);
		// A's link is not B's (404, not 403).
		expect((await page(`/app/links/${link.id}`, await token({ email: b }))).status).toBe(404);
	});

	it("refuses a missing assertion with a page (401), not the sign-in form", async () => {
		await refused(
			await page("/app", null),
			401,
			"access-denied",
			"Sign in through Cloudflare Access",
		);
	});

	it("refuses an expired assertion (beyond the clock tolerance)", async () => {
		const email = unique("late");
		await ownerWithEmail(email);
		const expired = await token({ email, issuedAgo: 3600, expiresIn: -120 });
		await refused(
			await page("/app", expired),
			401,
			"access-denied",
			"Sign in through Cloudflare Access",
		);
	});

	it("refuses an assertion for another application (wrong audience)", async () => {
		const email = unique("aud");
		await ownerWithEmail(email);
		const other = await token({ email, audience: "f".repeat(64) });
		await refused(
			await page("/app", other),
			401,
			"access-denied",
			"Sign in through Cloudflare Access",
		);
	});

	it("refuses an assertion from another team (wrong issuer)", async () => {
		const email = unique("iss");
		await ownerWithEmail(email);
		const other = await token({ email, issuer: "https://evil.cloudflareaccess.com" });
		await refused(
			await page("/app", other),
			401,
			"access-denied",
			"Sign in through Cloudflare Access",
		);
	});

	it("refuses an assertion signed with another key (wrong signature)", async () => {
		const email = unique("sig");
		await ownerWithEmail(email);
		const forged = await token({ email, key: stranger });
		await refused(
			await page("/app", forged),
			401,
			"access-denied",
			"Sign in through Cloudflare Access",
		);
		await refused(
			await page("/app", "not.a.jwt"),
			401,
			"access-denied",
			"Sign in through Cloudflare Access",
		);
	});

	it("refuses a forged assertion that names no key (kid) while the team publishes two: 401, not 503", async () => {
		// Access publishes its current and previous keys; a token without `kid` matches both.
		const email = unique("nokid");
		await ownerWithEmail(email);
		const [a, b] = await Promise.all([generateKeyPair("RS256"), generateKeyPair("RS256")]);
		const twoKeys = createLocalJWKSet({
			keys: [
				{ ...(await exportJWK(a.publicKey)), kid: "current", alg: "RS256", use: "sig" },
				{ ...(await exportJWK(b.publicKey)), kid: "previous", alg: "RS256", use: "sig" },
			],
		});
		const now = Math.floor(Date.now() / 1000);
		const forged = await new SignJWT({ email })
			.setProtectedHeader({ alg: "RS256" })
			.setIssuer(`https://${TEAM}`)
			.setAudience(AUD)
			.setIssuedAt(now - 10)
			.setExpirationTime(now + 600)
			.sign(stranger);
		await refused(
			await page("/app", forged, { env: accessEnv({}, twoKeys) }),
			401,
			"access-denied",
			"Sign in through Cloudflare Access",
		);
	});

	it("refuses an assertion without an e-mail (a service token)", async () => {
		await refused(
			await page("/app", await token({ email: null })),
			401,
			"access-denied",
			"Sign in through Cloudflare Access",
		);
	});

	it("an unknown e-mail gets a clear 403 page naming it", async () => {
		const email = unique("nobody");
		const html = await refused(
			await page("/app", await token({ email })),
			403,
			"access-no-owner",
			"No owner for this e-mail",
		);
		expect(html).toContain(email);
	});

	it("an e-mail two owners share is refused (which owner is meant is not guessed)", async () => {
		const email = unique("twice");
		await ownerWithEmail(email);
		await ownerWithEmail(email);
		await refused(
			await page("/app", await token({ email })),
			403,
			"access-owner-ambiguous",
			"More than one owner has this e-mail",
		);
	});

	it("API-key sessions are not used: the sign-in form sends on, an old cookie opens nothing", async () => {
		const email = unique("keyed");
		const { apiKey } = await ownerWithEmail(email);
		const cookie = await signInOwner(apiKey); // signed in while Access was off
		const signIn = await page("/app/sign-in?next=%2Fapp%2Fwebhooks", null);
		expect(signIn.status).toBe(303);
		expect(signIn.headers.get("location")).toBe("/app/webhooks");
		const post = await page("/app/sign-in", null, {
			method: "POST",
			headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN },
			body: new URLSearchParams({ credential: apiKey }).toString(),
		});
		expect(post.status).toBe(303);
		expect(post.headers.get("set-cookie")).toBeNull();
		await refused(
			await page("/app", null, { headers: { Cookie: cookie } }),
			401,
			"access-denied",
			"Sign in through Cloudflare Access",
		);
	});

	it("sign-out goes to Access's logout", async () => {
		const email = unique("out");
		await ownerWithEmail(email);
		const res = await page("/app/sign-out", await token({ email }), {
			method: "POST",
			headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN },
			body: "",
		});
		expect(res.status).toBe(303);
		expect(res.headers.get("location")).toBe("/cdn-cgi/access/logout");
	});

	it("the live command badge's JSON follows Access too (401 without an assertion)", async () => {
		const res = await page("/app/commands/cmd_x/status.json", null);
		expect(res.status).toBe(401);
	});

	it("the team's keys unreachable: 503 page, nobody signed in", async () => {
		const email = unique("down");
		await ownerWithEmail(email);
		const unreachable: JWTVerifyGetKey = async () => {
			throw new TypeError("fetch failed");
		};
		await refused(
			await page("/app", await token({ email }), { env: accessEnv({}, unreachable) }),
			503,
			"access-unavailable",
			"Sign-in cannot be checked right now",
		);
	});

	it("a half-set configuration refuses every page rather than falling back to API keys", async () => {
		const { apiKey } = await ownerWithEmail(unique("half"));
		const cookie = await signInOwner(apiKey);
		await refused(
			await page("/app", null, { env: accessEnv({ ACCESS_AUD: "" }), headers: { Cookie: cookie } }),
			503,
			"access-unavailable",
			"Sign-in cannot be checked right now",
		);
	});
});

describe("the admin console under Cloudflare Access", () => {
	it("an e-mail in ACCESS_ADMIN_EMAILS (any case) opens the console", async () => {
		const res = await page("/admin", await token({ email: ADMIN_EMAIL.toUpperCase() }));
		expect(res.status).toBe(200);
		expect(await res.text()).toContain("Owners");
	});

	it("an owner's e-mail that is not listed is refused (403)", async () => {
		const email = unique("owner-not-admin");
		await ownerWithEmail(email);
		await refused(
			await page("/admin", await token({ email })),
			403,
			"access-not-admin",
			"Not an admin",
		);
	});

	it("refuses a forged admin assertion", async () => {
		await refused(
			await page("/admin", await token({ email: ADMIN_EMAIL, key: stranger })),
			401,
			"access-denied",
			"Sign in through Cloudflare Access",
		);
	});
});

describe("the JSON API under Cloudflare Access", () => {
	it("keeps API keys only: an Access assertion alone is 401", async () => {
		const email = unique("api");
		await ownerWithEmail(email);
		const res = await page("/api/links", await token({ email }), {
			headers: { Accept: "application/json" },
		});
		expect(res.status).toBe(401);
		expect(res.headers.get("content-type")).toBe("application/problem+json");
	});
});

describe("without Cloudflare Access (the test env's default)", () => {
	it("an assertion changes nothing: the sign-in form as before", async () => {
		const res = await getPage("/app", null, { "Cf-Access-Jwt-Assertion": await token() });
		expect(res.status).toBe(303);
		expect(res.headers.get("location")).toBe("/app/sign-in?next=%2Fapp");
	});
});
