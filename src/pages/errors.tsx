/** @jsxImportSource hono/jsx */
/**
 * Errors of the page surfaces as pages, never as JSON or a stack trace: a
 * problem (from the API or thrown here) in words (words.ts) with its code in
 * small print; a refused cross-site form; an id of the wrong shape in the
 * path (ids.ts) as the not-found page; anything unexpected as a calm 500.
 */
import type { Context } from "hono";
import { logUnexpected } from "../api/middleware/request-log";
import type { AppEnv } from "../app-env";
import { ReceiveLinkError } from "../client/problem";
import { ProblemError } from "../domain/problems";
import { NoSuchPage } from "./ids";
import { Page, type Surface } from "./layout";
import { wordsFor } from "./problems";
import { CrossSiteRequest } from "./security";

export function errorPage(
	c: Context<AppEnv>,
	surface: Surface,
	status: number,
	heading: string,
	text: string,
	code?: string,
) {
	const home = surface === "admin" ? "/admin" : surface === "app" ? "/app" : "/";
	c.status(status as 400);
	return c.html(
		<Page title={heading} surface={surface} narrow>
			<h1>{heading}</h1>
			<p>{text}</p>
			{code ? <p class="muted small">Code: {code}</p> : null}
			<p>
				<a href={home}>Back</a>
			</p>
		</Page>,
	);
}

/** onError of a page sub-app. */
export function pageErrors(surface: Surface) {
	return (error: Error, c: Context<AppEnv>) => {
		if (error instanceof NoSuchPage) return pageNotFound(surface)(c);
		if (error instanceof CrossSiteRequest)
			return errorPage(
				c,
				surface,
				403,
				"Request refused",
				"This form was not sent from this site, so nothing was changed. Open the page here and try again.",
			);
		const p =
			error instanceof ReceiveLinkError
				? { status: error.status, code: error.code, detail: error.problem.detail }
				: error instanceof ProblemError
					? error.problem
					: null;
		if (p)
			return errorPage(
				c,
				surface,
				p.status,
				"That did not work",
				wordsFor(p.code, p.detail),
				p.code,
			);
		logUnexpected(c, "page.error", error);
		return errorPage(c, surface, 500, "Something went wrong", wordsFor("internal-error"));
	};
}

/** A page for a path nothing answers. */
export function pageNotFound(surface: Surface) {
	return (c: Context<AppEnv>) =>
		errorPage(c, surface, 404, "Page not found", "There is no page at this address.");
}
