/**
 * Cloudflare Access sign-in for the dashboard and the console
 * (docs/web.md#cloudflare-access): the configuration, read from the vars
 * ACCESS_TEAM_DOMAIN, ACCESS_AUD and ACCESS_ADMIN_EMAILS, and who a verified
 * identity is. Pure: src/pages/access.ts verifies the token and looks owners up.
 */
import type { Caller } from "./actor";

export type AccessConfig =
	| { kind: "off" }
	| { kind: "invalid"; reason: string }
	| {
			kind: "on";
			/** `<team>.cloudflareaccess.com` (or a custom Access domain), no scheme. */
			teamDomain: string;
			/** The Access application's audience (AUD) tag. */
			audience: string;
			/** The token issuer: `https://<teamDomain>`. */
			issuer: string;
			/** Where the team's signing keys are published. */
			certsUrl: string;
			/** Lower-cased e-mails that open the admin console. */
			adminEmails: ReadonlySet<string>;
	  };

const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const AUD = /^[\x21-\x7e]{1,256}$/;

/** Lower-cased and trimmed, as e-mails are compared (case-insensitively). */
export const normalEmail = (email: string): string => email.trim().toLowerCase();

/**
 * The Access configuration of `vars`: off when neither the team domain nor
 * the audience is set; invalid (with a reason naming the var, never a value)
 * when only one is, or the domain is not a host name.
 */
export function accessConfig(vars: {
	ACCESS_TEAM_DOMAIN?: string;
	ACCESS_AUD?: string;
	ACCESS_ADMIN_EMAILS?: string;
}): AccessConfig {
	const domain = (vars.ACCESS_TEAM_DOMAIN ?? "")
		.trim()
		.toLowerCase()
		.replace(/^https:\/\//, "")
		.replace(/\/+$/, "");
	const audience = (vars.ACCESS_AUD ?? "").trim();
	if (!domain && !audience) return { kind: "off" };
	if (!domain)
		return { kind: "invalid", reason: "ACCESS_AUD is set but ACCESS_TEAM_DOMAIN is not" };
	if (!audience)
		return { kind: "invalid", reason: "ACCESS_TEAM_DOMAIN is set but ACCESS_AUD is not" };
	if (!HOST.test(domain))
		return { kind: "invalid", reason: "ACCESS_TEAM_DOMAIN is not a host name" };
	if (!AUD.test(audience)) return { kind: "invalid", reason: "ACCESS_AUD is not a valid tag" };
	const adminEmails = new Set(
		(vars.ACCESS_ADMIN_EMAILS ?? "")
			.split(",")
			.map(normalEmail)
			.filter((e) => e.length > 0),
	);
	return {
		kind: "on",
		teamDomain: domain,
		audience,
		issuer: `https://${domain}`,
		certsUrl: `https://${domain}/cdn-cgi/access/certs`,
		adminEmails,
	};
}

/** Whether a verified Access e-mail opens the admin console. */
export function isAccessAdmin(
	config: Extract<AccessConfig, { kind: "on" }>,
	email: string,
): boolean {
	return config.adminEmails.has(normalEmail(email));
}

/** Why a page refuses a request when Access is on (codes of src/domain/problems.ts). */
export type AccessRefusal =
	| "access-denied"
	| "access-no-owner"
	| "access-owner-ambiguous"
	| "access-not-admin"
	| "access-unavailable";

/**
 * Who a verified Access e-mail is on the dashboard (`owner`: the one owner
 * with that e-mail, `ownerIds` being every owner id D1 has for it) or on the
 * console (`admin`: listed in ACCESS_ADMIN_EMAILS). An unknown e-mail, an
 * e-mail two owners share, an unlisted e-mail on the console: refused.
 */
export function accessCaller(
	config: Extract<AccessConfig, { kind: "on" }>,
	surface: "owner" | "admin",
	email: string,
	ownerIds: readonly string[],
): { ok: true; caller: Caller } | { ok: false; refusal: AccessRefusal } {
	if (surface === "admin")
		return isAccessAdmin(config, email)
			? { ok: true, caller: { kind: "admin" } }
			: { ok: false, refusal: "access-not-admin" };
	const [ownerId, ...others] = ownerIds;
	if (ownerId === undefined) return { ok: false, refusal: "access-no-owner" };
	if (others.length > 0) return { ok: false, refusal: "access-owner-ambiguous" };
	return { ok: true, caller: { kind: "owner", ownerId } };
}
