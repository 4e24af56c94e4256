/** @jsxImportSource hono/jsx */
/**
 * Every link of every owner, newest first, filtered by state and by owner
 * (a GET form, so a filtered list has an address and its pages keep the
 * filters); each row leads to the link's audit (audit.tsx).
 */
import { Hono } from "hono";
import type { AppEnv } from "../../app-env";
import { ReceiveLinkError } from "../../client/problem";
import { LINK_STATES, type LinkList, type LinkSummary } from "../../contract/index";
import { apiFor } from "../api-client";
import { Badge, Notice, when } from "../layout";
import { wordsFor } from "../problems";
import { AdminPage, href, idFilter, oneOf, Pager } from "./frame";

const LIST = "/admin/links";
export const auditHref = (linkId: string) => `${LIST}/${encodeURIComponent(linkId)}/audit`;
export const ownerLinksHref = (ownerId: string) => href(LIST, { ownerId });

function Filters(props: { state: string | undefined; ownerId: string | undefined }) {
	return (
		<form class="filters" method="get" action={LIST}>
			<div class="field">
				<label for="link-state">State</label>
				<select id="link-state" name="state">
					<option value="">Any state</option>
					{LINK_STATES.map((s) => (
						<option value={s} selected={s === props.state}>
							{s}
						</option>
					))}
				</select>
			</div>
			<div class="field">
				<label for="link-owner">Owner id</label>
				<input
					id="link-owner"
					name="ownerId"
					type="text"
					value={props.ownerId ?? ""}
					placeholder="own_…"
					autocomplete="off"
					spellcheck={false}
				/>
			</div>
			<div class="filter-buttons">
				<button type="submit">Filter</button>
				{props.state || props.ownerId ? <a href={LIST}>Clear filters</a> : null}
			</div>
		</form>
	);
}

function Table(props: { items: LinkSummary[] }) {
	return (
		<div class="table-wrap">
			<table>
				<caption class="visually-hidden">Links, newest first</caption>
				<thead>
					<tr>
						<th scope="col">Link</th>
						<th scope="col">State</th>
						<th scope="col" class="num">
							Epoch
						</th>
						<th scope="col">Owner</th>
						<th scope="col">Expires</th>
						<th scope="col">Created</th>
						<th scope="col">Audit</th>
					</tr>
				</thead>
				<tbody>
					{props.items.map((l) => (
						<tr data-link={l.id}>
							<td>
								<strong>{l.title}</strong>
								<div class="muted small mono">{l.id}</div>
							</td>
							<td>
								<Badge value={l.state} /> {l.closing ? <Badge value="closing" /> : null}
							</td>
							<td class="num">{l.epoch}</td>
							<td class="small">
								<a href={ownerLinksHref(l.ownerId)} class="mono">
									{l.ownerId}
								</a>
							</td>
							<td class="small">{l.expiresAt ? when(l.expiresAt) : "never"}</td>
							<td class="small">{when(l.createdAt)}</td>
							<td>
								<a href={auditHref(l.id)}>
									Audit<span class="visually-hidden"> link {l.title}</span>
								</a>
							</td>
						</tr>
					))}
				</tbody>
			</table>
		</div>
	);
}

export const linkPages = new Hono<AppEnv>().get("/", async (c) => {
	const state = oneOf(c.req.query("state"), LINK_STATES);
	const ownerId = idFilter(c.req.query("ownerId"));
	const cursor = c.req.query("cursor") || undefined;
	let page: LinkList = { items: [], nextCursor: null };
	let problem: string | undefined;
	try {
		page = await apiFor(c).listAllLinks({ state, ownerId }, { cursor });
	} catch (error) {
		if (!(error instanceof ReceiveLinkError) || error.status !== 400) throw error;
		problem = `${wordsFor(error.code, error.problem.detail)} (${error.code})`;
		c.status(400);
	}
	const filters = { state, ownerId };
	return c.html(
		<AdminPage title="Links" section="links">
			<h1>Links</h1>
			<p>Every owner's links, newest first. Audit a link to check it against the invariants.</p>
			<Filters {...filters} />
			{problem ? <Notice kind="bad">{problem}</Notice> : null}
			{page.items.length > 0 ? (
				<Table items={page.items} />
			) : problem ? null : (
				<p class="empty">
					{state || ownerId ? "No link matches these filters." : "There are no links yet."}
				</p>
			)}
			<Pager path={LIST} filters={filters} cursor={cursor} nextCursor={page.nextCursor} />
		</AdminPage>,
	);
});
