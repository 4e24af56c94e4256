/** @jsxImportSource hono/jsx */
/**
 * The pages a request refused by Cloudflare Access sign-in gets
 * (docs/web.md#cloudflare-access): what happened and what to do, with the
 * refusal's code in small print.
 */
import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import type { SessionKind } from "../d1/sessions";
import type { AccessRefusal } from "../domain/access";
import { PROBLEM_CODES } from "../domain/problems";
import { errorPage } from "./errors";

const WORDS: Record<AccessRefusal, { heading: string; text: (email?: string) => string }> = {
	"access-denied": {
		heading: "Sign in through Cloudflare Access",
		text: () =>
			"This page is behind Cloudflare Access, and this request did not come through it with a valid sign-in (it is missing, expired, or for another application). Open the page at your organisation's address and sign in again.",
	},
	"access-no-owner": {
		heading: "No owner for this e-mail",
		text: (email) =>
			`You are signed in as ${email ?? "this e-mail"}, but no owner of this service has that e-mail. Ask an admin to add it to your owner.`,
	},
	"access-owner-ambiguous": {
		heading: "More than one owner has this e-mail",
		text: (email) =>
			`You are signed in as ${email ?? "this e-mail"}, and more than one owner has it, so the dashboard cannot tell which is yours. Ask an admin to give each owner its own e-mail.`,
	},
	"access-not-admin": {
		heading: "Not an admin",
		text: (email) =>
			`You are signed in as ${email ?? "this e-mail"}, which is not one of the admins of this service.`,
	},
	"access-unavailable": {
		heading: "Sign-in cannot be checked right now",
		text: () =>
			"The service could not check your Cloudflare Access sign-in. Try again in a moment; if it keeps happening, tell the service's operators.",
	},
};

/** The page for a refused Access sign-in, with the refusal's status. */
export function accessRefusedPage(
	c: Context<AppEnv>,
	kind: SessionKind,
	refusal: AccessRefusal,
	email?: string,
) {
	const words = WORDS[refusal];
	return errorPage(
		c,
		kind === "admin" ? "admin" : "app",
		PROBLEM_CODES[refusal].status,
		words.heading,
		words.text(email),
		refusal,
	);
}
