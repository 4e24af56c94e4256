/** The Cloudflare Access configuration and who a verified e-mail is (src/domain/access.ts). */
import { describe, expect, it } from "vitest";
import { type AccessConfig, accessCaller, accessConfig } from "../../src/domain/access";

const on = (vars: Parameters<typeof accessConfig>[0]) => {
	const config = accessConfig(vars);
	if (config.kind !== "on") throw new Error(`expected on, got ${config.kind}`);
	return config;
};

describe("accessConfig", () => {
	it("is off when neither the team domain nor the audience is set", () => {
		expect(accessConfig({})).toEqual({ kind: "off" });
		expect(
			accessConfig({ ACCESS_TEAM_DOMAIN: " ", ACCESS_AUD: "", ACCESS_ADMIN_EMAILS: "a@b.c" }),
		).toEqual({
			kind: "off",
		});
	});

	it("is invalid, naming the var, when only one is set or the domain is not a host", () => {
		expect(accessConfig({ ACCESS_TEAM_DOMAIN: "t.cloudflareaccess.com" })).toEqual({
			kind: "invalid",
			reason: "ACCESS_TEAM_DOMAIN is set but ACCESS_AUD is not",
		});
		expect(accessConfig({ ACCESS_AUD: "abc" })).toEqual({
			kind: "invalid",
			reason: "ACCESS_AUD is set but ACCESS_TEAM_DOMAIN is not",
		});
		expect(accessConfig({ ACCESS_TEAM_DOMAIN: "not a host/x", ACCESS_AUD: "abc" })).toMatchObject({
			kind: "invalid",
			reason: "ACCESS_TEAM_DOMAIN is not a host name",
		});
		expect(
			accessConfig({ ACCESS_TEAM_DOMAIN: "t.cloudflareaccess.com", ACCESS_AUD: "a b" }),
		).toMatchObject({
			kind: "invalid",
		});
	});

	it("derives the issuer and the certs URL; tolerates a scheme and a trailing slash", () => {
		const config = on({
			ACCESS_TEAM_DOMAIN: "https://Team.CloudflareAccess.com/",
			ACCESS_AUD: " aud1 ",
		});
		expect(config).toMatchObject({
			teamDomain: "team.cloudflareaccess.com",
			audience: "aud1",
			issuer: "https://team.cloudflareaccess.com",
			certsUrl: "https://team.cloudflareaccess.com/cdn-cgi/access/certs",
		});
	});

	it("reads admin e-mails as a comma list, lower-cased, blanks dropped", () => {
		const config = on({
			ACCESS_TEAM_DOMAIN: "t.cloudflareaccess.com",
			ACCESS_AUD: "aud",
			ACCESS_ADMIN_EMAILS: " Boss@Example.com ,, ops@example.com,",
		});
		expect([...config.adminEmails]).toEqual(["boss@example.com", "ops@example.com"]);
	});
});

describe("accessCaller", () => {
	const config: Extract<AccessConfig, { kind: "on" }> = on({
		ACCESS_TEAM_DOMAIN: "t.cloudflareaccess.com",
		ACCESS_AUD: "aud",
		ACCESS_ADMIN_EMAILS: "boss@example.com",
	});

	it("the dashboard: the one owner with the e-mail; none or two are refused", () => {
		expect(accessCaller(config, "owner", "a@example.com", ["own_1"])).toEqual({
			ok: true,
			caller: { kind: "owner", ownerId: "own_1" },
		});
		expect(accessCaller(config, "owner", "a@example.com", [])).toEqual({
			ok: false,
			refusal: "access-no-owner",
		});
		expect(accessCaller(config, "owner", "a@example.com", ["own_1", "own_2"])).toEqual({
			ok: false,
			refusal: "access-owner-ambiguous",
		});
	});

	it("the console: listed e-mails (any case) are admin, others refused even if owners", () => {
		expect(accessCaller(config, "admin", "BOSS@example.com", [])).toEqual({
			ok: true,
			caller: { kind: "admin" },
		});
		expect(accessCaller(config, "admin", "a@example.com", ["own_1"])).toEqual({
			ok: false,
			refusal: "access-not-admin",
		});
	});
});
