/** @jsxImportSource hono/jsx */
/**
 * The links list at /app: one row per link from the API's list (the D1
 * index, with each link's files and bytes), newest first, a page at a time
 * with the API's cursor. Pending commands are not in the index; a link that
 * is closing (a revoke or delete waiting) says so here, and its page lists
 * every pending command.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../app-env";
import { formatBytes } from "../../client/vocabulary";
import type { LinkSummary } from "../../contract";
import { apiFor } from "../api-client";
import { Badge, ColumnHeads, when } from "../layout";
import { AppPage, count, NextPage, TableWrap } from "./frame";

const PAGE_SIZE = 20;

function Row(props: { link: LinkSummary }) {
	const l = props.link;
	return (
		<tr>
			<td class="name">
				<a href={`/app/links/${l.id}`}>{l.title}</a>
			</td>
			<td>
				<Badge value={l.state} />
			</td>
			<td>
				{l.closing ? <Badge value="pending" label="closing: revoke or delete pending" /> : "no"}
			</td>
			<td class="num">{l.epoch}</td>
			<td class="num">{count(l.files)}</td>
			<td class="num">{formatBytes(l.bytes)}</td>
			<td>{when(l.expiresAt)}</td>
			<td>{when(l.createdAt)}</td>
		</tr>
	);
}

export const linksList = new Hono<AppEnv>().get("/", async (c) => {
	const cursor = c.req.query("cursor");
	const page = await apiFor(c).listLinks({ limit: PAGE_SIZE, cursor: cursor ?? null });
	return c.html(
		<AppPage title="Your links">
			<h1>Your links</h1>
			<div class="actions">
				<a class="button" href="/app/new">
					Create a link
				</a>
			</div>
			{page.items.length === 0 ? (
				<p>
					{cursor ? (
						<>
							No more links. <a href="/app">Back to the first page</a>.
						</>
					) : (
						"You have no links yet. Create one, then send its upload link to the people who should send you files."
					)}
				</p>
			) : (
				<TableWrap label="Your links">
					<table>
						<caption class="visually-hidden">Your links, newest first</caption>
						<ColumnHeads
							columns={[
								"Title",
								"State",
								"Closing",
								"Epoch",
								"Files",
								"Received",
								"Expires",
								"Created",
							]}
							numeric={["Epoch", "Files", "Received"]}
						/>
						<tbody>
							{page.items.map((l) => (
								<Row link={l} />
							))}
						</tbody>
					</table>
				</TableWrap>
			)}
			{page.items.length > 0 ? (
				<p class="small muted">
					Every pending command of a link (a revoke or delete, files being received) is listed on
					the link's page.
				</p>
			) : null}
			{cursor ? (
				<p class="small">
					<a href="/app">First page</a>
				</p>
			) : null}
			<NextPage
				href={page.nextCursor ? `/app?cursor=${encodeURIComponent(page.nextCursor)}` : null}
				label="More links"
			/>
		</AppPage>,
	);
});
