/** @jsxImportSource hono/jsx */
/**
 * A new link at /app/new: every setting of the API's create body, in
 * human units. A refused value comes back next to its field with everything
 * typed kept (but the password). The answer to a successful POST is the new
 * link's page itself, not a redirect: it carries the upload URL, which only
 * the create answer knows.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../app-env";
import { problemOf } from "../../client/problem";
import type { CreatedLink } from "../../contract";
import { DEFAULT_SETTINGS } from "../../domain/settings";
import { apiFor } from "../api-client";
import { Notice } from "../layout";
import { wordsFor } from "../problems";
import { AppPage } from "./frame";
import { SettingsFields } from "./settings-fields";
import {
	errorsOfIssues,
	type FieldErrors,
	type SettingsValues,
	submitted,
	toInput,
	valuesOf,
} from "./settings-input";

function NewLinkPage(props: { values: SettingsValues; errors?: FieldErrors; problem?: string }) {
	const errors = props.errors ?? {};
	const invalid = Object.keys(errors).length > 0;
	return (
		<AppPage title="New link">
			<p class="small">
				<a href="/app">← Your links</a>
			</p>
			<h1>New link</h1>
			<p>
				Anyone you give the link to can send you files, within the limits you set here. You can
				change these settings later.
			</p>
			{invalid ? (
				<Notice kind="bad">
					Some values need a change: see the messages next to the fields.
					{errors.password ? null : " If you typed a password, type it again."}
				</Notice>
			) : null}
			{props.problem ? <Notice kind="bad">{props.problem}</Notice> : null}
			<form class="stack" method="post" action="/app/new">
				<SettingsFields values={props.values} errors={errors} mode="create" />
				<div class="actions">
					<button type="submit">Create the link</button>
					<a href="/app">Cancel</a>
				</div>
			</form>
		</AppPage>
	);
}

export const createRoutes = new Hono<AppEnv>()
	.get("/new", (c) =>
		c.html(<NewLinkPage values={valuesOf({ ...DEFAULT_SETTINGS, passwordRequired: false })} />),
	)
	.post("/new", async (c) => {
		const form = submitted(await c.req.parseBody());
		const { input, errors } = toInput(form);
		if (Object.keys(errors).length > 0) {
			c.status(400);
			return c.html(<NewLinkPage values={form.values} errors={errors} />);
		}
		const res = await apiFor(c).request("POST", "/api/links", { body: input });
		if (res.status === 201) {
			// Post/redirect/get: a reload or Back on the link's page never creates a second link
			// (the page shows the upload URL again from the link's sealed secret).
			const created = (await res.json()) as CreatedLink;
			return c.redirect(`/app/links/${created.link.id}?done=created`, 303);
		}
		const problem = await problemOf(res);
		const fieldErrors =
			problem.code === "validation-failed" ? errorsOfIssues(problem.problem.issues) : null;
		c.status(res.status === 401 || res.status === 403 ? (res.status as 403) : 400);
		return c.html(
			<NewLinkPage
				values={form.values}
				{...(fieldErrors
					? { errors: fieldErrors }
					: { problem: wordsFor(problem.code, problem.problem.detail) })}
			/>,
		);
	});
