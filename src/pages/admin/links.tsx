/** @jsxImportSource hono/jsx */
/**
 * Every link of every owner, newest first, filtered by state and by owner
 * (a GET form, so a filtered list has an address and its pages keep the
 * filters); each row leads to the link's audit (audit.tsx).
 */
import { Hono } from "hono";
import type { AppEnv } from "../../app-env";
import { LINK_STATES, type LinkList, type LinkSummary } from "../../contract/index";
import { apiFor } from "../api-client";
import { Badge, ColumnHeads, Notice, when } from "../layout";
import { AdminPage, href, idFilter, oneOf, Pager } from "./frame";
import { Filters, listOrProblem } from "./list-parts";

const LIST = "/admin/links";
export const auditHref = (linkId: string) => `${LIST}/${encodeURIComponent(linkId)}/audit`;
export const ownerLinksHref = (ownerId: string) => href(LIST, { ownerId });

function LinkFilters(props: { state: string | undefined; ownerId: string | undefined }) {
	return (
		<Filters
			action={LIST}
			select={{
				id: "link-state",
				name: "state",
				label: "State",
				any: "Any state",
				options: LINK_STATES,
				labelOf: (s) => s,
				value: props.state,
			}}
			text={{
				id: "link-owner",
				name: "ownerId",
				label: "Owner id",
				placeholder: "own_…",
				value: props.ownerId,
			}}
		/>
	);
}

function Table(props: { items: LinkSummary[] }) {
	return (
		<div class="table-wrap">
			<table>
				<caption class="visually-hidden">Links, newest first</caption>
				<ColumnHeads
					columns={["Link", "State", "Epoch", "Owner", "Expires", "Created", "Audit"]}
					numeric={["Epoch"]}
				/>
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
	const empty: LinkList = { items: [], nextCursor: null };
	const { page, problem } = await listOrProblem(c, empty, () =>
		apiFor(c).listAllLinks({ state, ownerId }, { cursor }),
	);
	const filters = { state, ownerId };
	return c.html(
		<AdminPage title="Links" section="links">
			<h1>Links</h1>
			<p>Every owner's links, newest first. Audit a link to check it against the invariants.</p>
			<LinkFilters {...filters} />
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
