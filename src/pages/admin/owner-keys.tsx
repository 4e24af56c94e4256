/** @jsxImportSource hono/jsx */
/**
 * One owner, and the rotation of its API key: a confirmation step saying
 * what stops working (the old key at once, and every dashboard session
 * opened with it), then the new key shown once in the POST's answer.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../app-env";
import type { OwnerSummary } from "../../contract/index";
import { apiFor } from "../api-client";
import { pathId } from "../ids";
import { ConfirmOrCancel, Notice, when } from "../layout";
import { AdminPage } from "./frame";
import { ownerLinksHref } from "./links";
import { KeyOnce, ownerHref } from "./owners";

function OwnerFacts(props: { owner: OwnerSummary }) {
	const o = props.owner;
	return (
		<dl class="kv">
			<dt>Owner id</dt>
			<dd>
				<code>{o.id}</code>
			</dd>
			<dt>E-mail</dt>
			<dd>{o.email ?? "none"}</dd>
			<dt>API key</dt>
			<dd>
				{o.keyPrefix ? (
					<>
						<code>{o.keyPrefix}…</code> (since {when(o.keyCreatedAt)})
					</>
				) : (
					"no live key"
				)}
			</dd>
			<dt>Links</dt>
			<dd>
				{o.linkCount} (<a href={ownerLinksHref(o.id)}>see {o.name}'s links</a>)
			</dd>
			<dt>Created</dt>
			<dd>{when(o.createdAt)}</dd>
		</dl>
	);
}

const WHAT_STOPS = (o: OwnerSummary) =>
	`${o.keyPrefix ? `The current key (${o.keyPrefix}…)` : "Any current key"} stops working at once: API requests with it are refused, and every dashboard session ${o.name} opened with it ends. ${o.name}'s links, files and commands are not affected.`;

export const ownerKeyPages = new Hono<AppEnv>()
	.get("/:ownerId", async (c) => {
		const owner = await apiFor(c).getOwner(pathId(c, "ownerId", "owner"));
		return c.html(
			<AdminPage title={owner.name} section="owners">
				<p class="small">
					<a href="/admin/owners">All owners</a>
				</p>
				<h1>{owner.name}</h1>
				<OwnerFacts owner={owner} />
				<div class="actions">
					<a class="button secondary" href={`${ownerHref(owner.id)}/rotate`}>
						Rotate key…
					</a>
				</div>
			</AdminPage>,
		);
	})
	.get("/:ownerId/rotate", async (c) => {
		const owner = await apiFor(c).getOwner(pathId(c, "ownerId", "owner"));
		const back = ownerHref(owner.id);
		return c.html(
			<AdminPage title={`Rotate ${owner.name}'s key?`} section="owners">
				<h1>Rotate {owner.name}'s API key?</h1>
				<p>A new key is made and shown to you once, on the next page.</p>
				<Notice kind="warn">{WHAT_STOPS(owner)}</Notice>
				<p>Give {owner.name} the new key so they can sign in again.</p>
				<ConfirmOrCancel action={`${back}/rotate`} cancel={back}>
					Rotate the key
				</ConfirmOrCancel>
			</AdminPage>,
		);
	})
	.post("/:ownerId/rotate", async (c) => {
		const { owner, apiKey } = await apiFor(c).rotateOwnerKey(pathId(c, "ownerId", "owner"));
		c.status(201);
		return c.html(
			<AdminPage title="Key rotated" section="owners">
				<h1>{owner.name}'s key was rotated</h1>
				<Notice kind="ok">
					The old key no longer works, and the dashboard sessions opened with it have ended.
				</Notice>
				<KeyOnce apiKey={apiKey} name={owner.name} />
				<p>
					<a href={ownerHref(owner.id)}>See {owner.name}</a> ·{" "}
					<a href="/admin/owners">All owners</a>
				</p>
			</AdminPage>,
		);
	});
