/** @jsxImportSource hono/jsx */
/**
 * The uploader page: what a browser gets when it opens an upload URL
 * (`/r/<linkId>#<secret>`, docs/uploads.md and docs/web.md). The server knows only
 * the link id; the page's script (web/uploader) reads the secret from the
 * fragment, asks the link's public info with the `Link-Secret` header, and
 * uploads over tus. Nothing here depends on the link's state: a forged id is
 * refused before this (see public.ts), a wrong secret is found by the script.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { isAuthenticLinkId, isLinkId } from "../lib/ids";
import { Page } from "./layout";
import { pageHeaders } from "./security";

export function UploaderPage(props: { linkId: string }) {
	return (
		<Page title="Send files" surface="uploader" script="uploader" narrow>
			<div id="uploader" data-link-id={props.linkId} aria-live="polite">
				<h1>Send files</h1>
				<p class="muted">Loading this link…</p>
				<noscript>
					<p>This page needs JavaScript to send files.</p>
				</noscript>
			</div>
		</Page>
	);
}

/** The page for an address that is not a link (a forged or mistyped id). */
export function UnknownLinkPage() {
	return (
		<Page title="Link not found" surface="uploader" narrow>
			<h1>This link does not work</h1>
			<p>
				The address is not a receive link. Check that you copied the whole link, including
				everything after the # sign, or ask the person who sent it for a new one.
			</p>
		</Page>
	);
}

/** A browser navigation (it wants a page); API clients (JSON or any type accepted) do not. */
export function wantsPage(req: Request): boolean {
	if (req.headers.get("sec-fetch-dest") === "document") return true;
	const accept = req.headers.get("accept") ?? "";
	return /\btext\/html\b/i.test(accept);
}

/**
 * In front of `GET /r/:linkId`: a browser navigation gets the uploader page
 * (or, for an id that is not an authentic link id, a "does not work" page,
 * without touching a Durable Object); API clients go on to the JSON route.
 */
export const uploaderPage: MiddlewareHandler<AppEnv> = async (c, next) => {
	if (!wantsPage(c.req.raw)) return next();
	const linkId = c.req.param("linkId") ?? "";
	const authentic = isLinkId(linkId) && (await isAuthenticLinkId(c.env.LINK_ID_SECRET, linkId));
	await pageHeaders(c, async () => {
		c.res = await c.html(
			authentic ? <UploaderPage linkId={linkId} /> : <UnknownLinkPage />,
			authentic ? 200 : 404,
		);
	});
	return c.res;
};
