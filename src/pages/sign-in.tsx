/** @jsxImportSource hono/jsx */
/**
 * Sign-in and sign-out of the dashboard (owner API key) and the console
 * (admin token): a form posting the credential once, answered with a
 * session cookie (session.ts) and a redirect; sign-out revokes the session.
 */
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import type { SessionKind } from "../d1/sessions";
import { accessOf } from "./access";
import { Notice, Page } from "./layout";
import { safeNext, signIn, signOut } from "./session";

const TEXT: Record<
	SessionKind,
	{ title: string; label: string; hint: string; home: "/app" | "/admin" }
> = {
	owner: {
		title: "Sign in to your dashboard",
		label: "API key",
		hint: "The owner API key you were given (it starts with rlk_).",
		home: "/app",
	},
	admin: {
		title: "Sign in to the admin console",
		label: "Admin token",
		hint: "The service's ADMIN_TOKEN.",
		home: "/admin",
	},
};

function SignInForm(props: { kind: SessionKind; next?: string; error?: string; ended?: boolean }) {
	const t = TEXT[props.kind];
	return (
		<Page title={t.title} surface={props.kind === "admin" ? "admin" : "app"} narrow>
			<h1>{t.title}</h1>
			{props.ended ? <Notice kind="warn">Your session has ended. Sign in again.</Notice> : null}
			{props.error ? <Notice kind="bad">{props.error}</Notice> : null}
			<form class="stack" method="post" action={`${t.home}/sign-in`}>
				<div class="field">
					<label for="credential">{t.label}</label>
					<input
						id="credential"
						name="credential"
						type="password"
						autocomplete="current-password"
						required
						aria-describedby="credential-hint"
						aria-invalid={props.error ? "true" : undefined}
						autofocus
					/>
					<span class="hint" id="credential-hint">
						{t.hint}
					</span>
				</div>
				{props.next ? <input type="hidden" name="next" value={props.next} /> : null}
				<div>
					<button type="submit">Sign in</button>
				</div>
			</form>
		</Page>
	);
}

/** Where Cloudflare Access ends its session on this application's domain. */
export const ACCESS_LOGOUT_PATH = "/cdn-cgi/access/logout";

/** GET/POST `<home>/sign-in` and POST `<home>/sign-out` for one kind of session. */
export function signInRoutes(kind: SessionKind) {
	const home = TEXT[kind].home;
	return new Hono<AppEnv>()
		.use("/sign-in", async (c, next) => {
			// Under Access, no API key or token is taken here: the page itself checks Access.
			if (accessOf(c.env).kind === "off") return next();
			return c.redirect(safeNext(c.req.query("next"), home), 303);
		})
		.get("/sign-in", (c) =>
			c.html(
				<SignInForm
					kind={kind}
					next={safeNext(c.req.query("next"), home)}
					ended={c.req.query("ended") === "1"}
				/>,
			),
		)
		.post("/sign-in", async (c) => {
			const form = await c.req.parseBody();
			const credential = typeof form.credential === "string" ? form.credential : "";
			const next = safeNext(typeof form.next === "string" ? form.next : undefined, home);
			const caller = await signIn(c, kind, credential);
			if (!caller) {
				c.status(401);
				return c.html(
					<SignInForm
						kind={kind}
						next={next}
						error={`That ${TEXT[kind].label.toLowerCase()} is not valid. Check it and try again.`}
					/>,
				);
			}
			return c.redirect(next, 303);
		})
		.post("/sign-out", async (c) => {
			await signOut(c, kind);
			if (accessOf(c.env).kind !== "off") return c.redirect(ACCESS_LOGOUT_PATH, 303);
			return c.redirect(`${home}/sign-in`, 303);
		});
}

/** The sign-out button of a page header (a form: sign-out changes state). */
export function SignOut(props: { home: "/app" | "/admin" }) {
	return (
		<form method="post" action={`${props.home}/sign-out`}>
			<button type="submit" class="link">
				Sign out
			</button>
		</form>
	);
}
