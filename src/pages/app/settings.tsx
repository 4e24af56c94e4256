/** @jsxImportSource hono/jsx */
/**
 * A link's settings edit (/app/links/:linkId/settings): the form filled with
 * the current settings and the ETag they were read at, sent as a PATCH of the
 * fields the person changed with `If-Match: <that ETag>`. A stale edit (the
 * API's 412 settings-mismatch or epoch-mismatch) shows the conflict: the
 * current values, freshly read, in the form, and what the person entered
 * beside them, with a button to apply those values over the current ones.
 * The password is never shown: keep, set, change or remove it.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import type { AppEnv } from "../../app-env";
import { problemOf } from "../../client/problem";
import type { LinkView } from "../../contract";
import { apiFor } from "../api-client";
import { pathId } from "../ids";
import { ColumnHeads, Notice } from "../layout";
import { wordsFor } from "../problems";
import { AppPage, isTerminal, TableWrap } from "./frame";
import { SettingsFields } from "./settings-fields";
import {
	differing,
	errorsOfIssues,
	type FieldErrors,
	type PasswordAction,
	type SettingsValues,
	type SubmittedSettings,
	submitted,
	submittedWas,
	toInput,
	valuesOf,
	WAS,
} from "./settings-input";

const LABELS: Record<keyof SettingsValues, string> = {
	title: "Title",
	description: "Description",
	maxFileMiB: "Largest file (MiB)",
	maxFiles: "Number of files",
	maxTotalMiB: "All files together (MiB)",
	allowedExtensions: "Allowed extensions",
	allowedMimeTypes: "Allowed MIME types",
	expiresAt: "Expires at (UTC)",
	lateFinalize: "Files arriving as it closes",
	requireUploaderName: "Ask for the uploader's name",
	requireUploaderEmail: "Ask for the uploader's e-mail",
};

const shown = (v: string | boolean): string =>
	typeof v === "boolean" ? (v ? "yes" : "no") : v === "" ? "(empty)" : v;

/** Hidden inputs holding `values` under `prefix` (a checkbox's "on", or nothing). */
function Hidden(props: { values: SettingsValues; prefix?: string }) {
	const prefix = props.prefix ?? "";
	return (
		<>
			{(Object.keys(LABELS) as (keyof SettingsValues)[]).map((k) => {
				const v = props.values[k];
				if (typeof v === "boolean")
					return v ? <input type="hidden" name={`${prefix}${k}`} value="on" /> : null;
				return <input type="hidden" name={`${prefix}${k}`} value={v} />;
			})}
		</>
	);
}

interface EditProps {
	link: LinkView;
	etag: string;
	values: SettingsValues;
	/** What the form was first filled with (sent back as `was.*`); the link's settings by default. */
	was?: SettingsValues;
	errors?: FieldErrors;
	passwordAction?: PasswordAction;
	problem?: string;
	/** A stale edit: what the person saw and entered, shown beside the current values. */
	conflict?: { was: SettingsValues; attempted: SubmittedSettings; code: string };
}

/**
 * A stale edit: each setting the person changed or someone else changed
 * meanwhile, as it was, as entered, and as it is now; and a form that applies
 * the person's changes (only those) over the current values.
 */
function Conflict(props: {
	link: LinkView;
	etag: string;
	was: SettingsValues;
	attempted: SubmittedSettings;
	code: string;
}) {
	const now = valuesOf(props.link.settings);
	const mine = props.attempted.values;
	const changedByMe = differing(props.was, mine);
	const rows = [...new Set([...changedByMe, ...differing(props.was, now)])];
	const merged: SettingsValues = { ...now };
	for (const k of changedByMe) (merged as unknown as Record<string, unknown>)[k] = mine[k];
	return (
		<section class="notice bad conflict" aria-labelledby="conflict-heading" role="alert">
			<h2 id="conflict-heading">Your changes were not saved</h2>
			<p>{wordsFor(props.code)}</p>
			{rows.length ? (
				<TableWrap label="What you entered beside the current values">
					<table>
						<caption class="visually-hidden">What you entered beside the current values</caption>
						<ColumnHeads
							columns={["Setting", "When you opened the form", "You entered", "Current value"]}
						/>
						<tbody>
							{rows.map((k) => (
								<tr>
									<th scope="row">{LABELS[k]}</th>
									<td class="was">{shown(props.was[k])}</td>
									<td class={changedByMe.includes(k) ? "mine changed" : "mine"}>
										{shown(mine[k])}
									</td>
									<td class="now">{shown(now[k])}</td>
								</tr>
							))}
						</tbody>
					</table>
				</TableWrap>
			) : null}
			{changedByMe.length || props.attempted.passwordAction === "remove" ? (
				<form method="post" action={`/app/links/${props.link.id}/settings`} class="actions">
					<input type="hidden" name="etag" value={props.etag} />
					<Hidden values={merged} />
					<Hidden values={now} prefix={WAS} />
					{props.attempted.passwordAction === "remove" ? (
						<input type="hidden" name="passwordAction" value="remove" />
					) : null}
					<button type="submit">Apply my changes to the current values</button>
				</form>
			) : null}
			{props.attempted.passwordAction === "set" ? (
				<p>Your new password was not saved: type it again below if you still want it.</p>
			) : null}
			<p>Or edit the current values below and save them.</p>
		</section>
	);
}

function EditPage(props: EditProps) {
	const l = props.link;
	const errors = props.errors ?? {};
	const closed = isTerminal(l.state);
	return (
		<AppPage title={`Settings of ${l.settings.title}`}>
			<p class="small">
				<a href={`/app/links/${l.id}`}>← {l.settings.title}</a>
			</p>
			<h1>Settings</h1>
			{props.conflict ? <Conflict link={l} etag={props.etag} {...props.conflict} /> : null}
			{Object.keys(errors).length ? (
				<Notice kind="bad">
					Some values need a change: see the messages next to the fields. Nothing was saved.
				</Notice>
			) : null}
			{props.problem ? <Notice kind="bad">{props.problem}</Notice> : null}
			{closed || l.closing ? (
				<Notice kind="warn">
					{closed
						? `This link is ${l.state}: its settings can no longer change.`
						: "This link is closing (a revoke or delete is being applied): its settings cannot change now."}
				</Notice>
			) : (
				<form class="stack" method="post" action={`/app/links/${l.id}/settings`}>
					<input type="hidden" name="etag" value={props.etag} />
					<Hidden values={props.was ?? valuesOf(l.settings)} prefix={WAS} />
					<SettingsFields
						values={props.values}
						errors={errors}
						mode="edit"
						passwordRequired={l.settings.passwordRequired}
						{...(props.passwordAction ? { passwordAction: props.passwordAction } : {})}
					/>
					<div class="actions">
						<button type="submit">Save the settings</button>
						<a href={`/app/links/${l.id}`}>Cancel</a>
					</div>
				</form>
			)}
		</AppPage>
	);
}

async function current(c: Context<AppEnv>, linkId: string) {
	const { link, etag } = await apiFor(c).getLink(linkId);
	return { link, etag: etag ?? `"${link.epoch}"` };
}

export const settingsRoutes = new Hono<AppEnv>()
	.get("/:linkId/settings", async (c) => {
		const { link, etag } = await current(c, pathId(c, "linkId", "link"));
		return c.html(<EditPage link={link} etag={etag} values={valuesOf(link.settings)} />);
	})
	.post("/:linkId/settings", async (c) => {
		const linkId = pathId(c, "linkId", "link");
		const body = await c.req.parseBody();
		const form = submitted(body);
		const ifMatch = typeof body.etag === "string" ? body.etag : "";
		const now = await current(c, linkId);
		// Only what the person changed in the form: untouched fields are not rewritten.
		const was = submittedWas(body) ?? valuesOf(now.link.settings);
		const { input, errors } = toInput(form, was);
		const again = (extra: Partial<EditProps>, status: 400 | 409) => {
			c.status(status);
			return c.html(
				<EditPage
					link={now.link}
					etag={ifMatch}
					values={form.values}
					was={was}
					passwordAction={form.passwordAction}
					{...extra}
				/>,
			);
		};
		if (Object.keys(errors).length > 0) return again({ errors }, 400);
		const res = await apiFor(c).request("PATCH", `/api/links/${linkId}`, {
			body: input,
			...(ifMatch ? { headers: { "If-Match": ifMatch } } : {}),
		});
		if (res.ok) {
			await res.body?.cancel();
			const none = Object.keys(input).length === 0;
			return c.redirect(`/app/links/${linkId}?done=${none ? "unchanged" : "saved"}`, 303);
		}
		const problem = await problemOf(res);
		if (problem.code === "settings-mismatch" || problem.code === "epoch-mismatch") {
			const fresh = await current(c, linkId);
			c.status(409);
			return c.html(
				<EditPage
					link={fresh.link}
					etag={fresh.etag}
					values={valuesOf(fresh.link.settings)}
					conflict={{ was, attempted: form, code: problem.code }}
				/>,
			);
		}
		if (problem.code === "validation-failed") {
			const fieldErrors = errorsOfIssues(problem.problem.issues);
			if (fieldErrors) return again({ errors: fieldErrors }, 400);
		}
		if (problem.status === 404) throw problem;
		return c.redirect(`/app/links/${linkId}?problem=${encodeURIComponent(problem.code)}`, 303);
	});
