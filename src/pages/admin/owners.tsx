/** @jsxImportSource hono/jsx */
/**
 * Owners: the list (newest first, each with its live key's prefix, never a
 * key) and the creation form. A new owner's API key is shown once, in the
 * answer to the POST itself (never after a redirect, never stored in a
 * way a later page could show it). Keys are rotated in owner-keys.tsx.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import type { AppEnv } from "../../app-env";
import { ReceiveLinkError } from "../../client/problem";
import type { OwnerList, OwnerSummary } from "../../contract/index";
import { apiFor } from "../api-client";
import { ColumnHeads, ErrorText, Notice, when } from "../layout";
import { wordsFor } from "../problems";
import { AdminPage, Pager } from "./frame";
import { ownerLinksHref } from "./links";
import { listOrProblem } from "./list-parts";

const LIST = "/admin/owners";
export const ownerHref = (ownerId: string) => `${LIST}/${encodeURIComponent(ownerId)}`;

/** The key of a new or rotated owner, shown once with a copy button (web/pages/admin.ts). */
export function KeyOnce(props: { apiKey: string; name: string }) {
	return (
		<section class="panel key-once" aria-labelledby="key-heading">
			<h2 id="key-heading">{props.name}'s API key</h2>
			<Notice kind="warn">
				<strong>Copy it now: this is the only time it is shown.</strong> The service keeps only a
				hash of it, so no page can show it again. If it is lost, rotate the key.
			</Notice>
			<div class="field">
				<label for="api-key">API key</label>
				<div class="copy-row">
					<input
						id="api-key"
						type="text"
						class="mono"
						readonly
						value={props.apiKey}
						autocomplete="off"
						spellcheck={false}
						aria-describedby="api-key-hint"
					/>
					<button type="button" data-admin-copy="api-key" hidden>
						Copy
					</button>
				</div>
				<span class="hint" id="api-key-hint">
					Give it to the owner privately. They sign in to the dashboard at /app with it, and use it
					as the bearer token of the API.
				</span>
				<span class="small" data-admin-copied="api-key" role="status" />
			</div>
		</section>
	);
}

interface FormState {
	name?: string;
	email?: string;
	errors?: { name?: string; email?: string; form?: string };
}

/** A field of the creation form, with its error (if refused) described by it. */
function OwnerField(props: {
	name: "name" | "email";
	label: string;
	type: "text" | "email";
	required?: boolean;
	maxlength: number;
	value: string | undefined;
	error: string | undefined;
}) {
	const id = `owner-${props.name}`;
	return (
		<div class="field">
			<label for={id}>{props.label}</label>
			<input
				id={id}
				name={props.name}
				type={props.type}
				required={props.required}
				maxlength={props.maxlength}
				value={props.value ?? ""}
				aria-invalid={props.error ? "true" : undefined}
				aria-describedby={props.error ? `${id}-error` : undefined}
			/>
			<ErrorText id={`${id}-error`} error={props.error} />
		</div>
	);
}

function CreateForm(props: FormState) {
	const e = props.errors ?? {};
	return (
		<section class="panel" aria-labelledby="create-owner">
			<h2 id="create-owner">Create an owner</h2>
			{e.form ? <Notice kind="bad">{e.form}</Notice> : null}
			<form class="stack" method="post" action={LIST}>
				<OwnerField
					name="name"
					label="Name"
					type="text"
					required
					maxlength={200}
					value={props.name}
					error={e.name}
				/>
				<OwnerField
					name="email"
					label="E-mail (optional)"
					type="email"
					maxlength={320}
					value={props.email}
					error={e.email}
				/>
				<div>
					<button type="submit">Create owner</button>
				</div>
			</form>
		</section>
	);
}

function Table(props: { items: OwnerSummary[] }) {
	return (
		<div class="table-wrap">
			<table>
				<caption class="visually-hidden">Owners, newest first</caption>
				<ColumnHeads
					columns={["Owner", "E-mail", "API key", "Links", "Created"]}
					numeric={["Links"]}
				/>
				<tbody>
					{props.items.map((o) => (
						<tr data-owner={o.id}>
							<td>
								<a href={ownerHref(o.id)}>{o.name}</a>
								<div class="muted small mono">{o.id}</div>
							</td>
							<td class="small">{o.email ?? "none"}</td>
							<td class="small">
								{o.keyPrefix ? (
									<>
										<code>{o.keyPrefix}…</code>
										<div class="muted">since {when(o.keyCreatedAt)}</div>
									</>
								) : (
									"no live key"
								)}
							</td>
							<td class="num">
								<a href={ownerLinksHref(o.id)}>
									{o.linkCount}
									<span class="visually-hidden"> links of {o.name}</span>
								</a>
							</td>
							<td class="small">{when(o.createdAt)}</td>
						</tr>
					))}
				</tbody>
			</table>
		</div>
	);
}

/** The list with the creation form (its values and errors after a refused POST). */
async function listPage(c: Context<AppEnv>, form: FormState = {}) {
	const cursor = c.req.query("cursor") || undefined;
	const empty: OwnerList = { items: [], nextCursor: null };
	const { page, problem } = await listOrProblem(c, empty, () => apiFor(c).listOwners({ cursor }));
	return c.html(
		<AdminPage title="Owners" section="owners">
			<h1>Owners</h1>
			<p>Owners create links with their API key. Each owner has one live key at a time.</p>
			<CreateForm {...form} />
			<h2>All owners</h2>
			{problem ? <Notice kind="bad">{problem}</Notice> : null}
			{page.items.length > 0 ? (
				<Table items={page.items} />
			) : problem ? null : (
				<p class="empty">There are no owners yet.</p>
			)}
			<Pager path={LIST} filters={{}} cursor={cursor} nextCursor={page.nextCursor} />
		</AdminPage>,
	);
}

/** Field errors of a refused creation, in words, from the problem's issues. */
function fieldErrors(error: ReceiveLinkError): NonNullable<FormState["errors"]> {
	const issues = Array.isArray(error.problem.issues) ? error.problem.issues : [];
	const paths = new Set(issues.map((i) => i.path));
	const errors: NonNullable<FormState["errors"]> = {};
	if (paths.has("name")) errors.name = "Enter a name of up to 200 visible characters.";
	if (paths.has("email")) errors.email = "Enter an e-mail address such as ann@example.com.";
	if (!errors.name && !errors.email) errors.form = wordsFor(error.code, error.problem.detail);
	return errors;
}

export const ownerPages = new Hono<AppEnv>()
	.get("/", (c) => listPage(c))
	.post("/", async (c) => {
		const body = await c.req.parseBody();
		const name = typeof body.name === "string" ? body.name.trim() : "";
		const email = typeof body.email === "string" ? body.email.trim() : "";
		if (!name) {
			c.status(400);
			return listPage(c, { name, email, errors: { name: "Enter the owner's name." } });
		}
		try {
			const created = await apiFor(c).createOwner(name, email || undefined);
			c.status(201);
			return c.html(
				<AdminPage title="Owner created" section="owners">
					<h1>Owner created</h1>
					<Notice kind="ok">
						{created.owner.name} can now sign in to the dashboard and create links.
					</Notice>
					<KeyOnce apiKey={created.apiKey} name={created.owner.name} />
					<p>
						<a href={ownerHref(created.owner.id)}>See {created.owner.name}</a> ·{" "}
						<a href={LIST}>All owners</a>
					</p>
				</AdminPage>,
			);
		} catch (error) {
			if (!(error instanceof ReceiveLinkError) || error.code !== "validation-failed") throw error;
			c.status(400);
			return listPage(c, { name, email, errors: fieldErrors(error) });
		}
	});
