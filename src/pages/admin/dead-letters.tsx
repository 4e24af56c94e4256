/** @jsxImportSource hono/jsx */
/**
 * Dead letters (docs/commands.md): commands that ran out of queue retries,
 * and messages the consumer could not read. The list filters by status and
 * link; the detail page shows the command, the delivery and the message,
 * and, while the dead letter is pending, the actions (dead-letter-actions.tsx).
 */
import type { Context } from "hono";
import { Hono } from "hono";
import type { AppEnv } from "../../app-env";
import { DEAD_LETTER_LABELS } from "../../client/vocabulary";
import {
	DEAD_LETTER_STATUSES,
	type DeadLetterDetail,
	type DeadLetterView,
} from "../../contract/index";
import { familyOf } from "../../queues";
import * as WebhookDeliveries from "../../queues/webhook-deliveries";
import { apiFor } from "../api-client";
import { pathId } from "../ids";
import { Badge, ColumnHeads, Notice, when } from "../layout";
import { CommandFacts, CommandStatus } from "./command-view";
import { AdminPage, idFilter, oneOf, Pager } from "./frame";
import { Filters, listOrProblem } from "./list-parts";

const LIST = "/admin/dead-letters";
/** A dead letter of the webhook queues: an undeliverable event, no command (docs/webhooks.md). */
export const isWebhookDeadLetter = (dl: DeadLetterView) =>
	familyOf(dl.queue) === WebhookDeliveries.QUEUE;
export const deadLetterHref = (id: string) => `${LIST}/${encodeURIComponent(id)}`;

function DeadLetterFilters(props: { status: string | undefined; linkId: string | undefined }) {
	return (
		<Filters
			action={LIST}
			select={{
				id: "dl-status",
				name: "status",
				label: "Status",
				any: "Any status",
				options: DEAD_LETTER_STATUSES,
				labelOf: (s) => DEAD_LETTER_LABELS[s],
				value: props.status,
			}}
			text={{
				id: "dl-link",
				name: "linkId",
				label: "Link id",
				placeholder: "lnk_…",
				value: props.linkId,
			}}
		/>
	);
}

const short = (s: string | null, n = 90) =>
	!s ? "none" : s.length > n ? `${s.slice(0, n - 1)}…` : s;

function Table(props: { items: DeadLetterView[] }) {
	return (
		<div class="table-wrap">
			<table>
				<caption class="visually-hidden">Dead letters, newest first</caption>
				<ColumnHeads
					columns={["Dead letter", "Status", "Link", "Attempts", "Last error", "Created"]}
					numeric={["Attempts"]}
				/>
				<tbody>
					{props.items.map((dl) => (
						<tr data-dead-letter={dl.id}>
							<td>
								<a href={deadLetterHref(dl.id)}>
									Inspect<span class="visually-hidden"> dead letter {dl.id}</span>
								</a>
								<div class="muted small mono">{dl.id}</div>
							</td>
							<td>
								<Badge value={dl.status} />
							</td>
							<td class="mono small">{dl.linkId ?? "none"}</td>
							<td class="num">{dl.attempts}</td>
							<td class="small">{short(dl.lastError)}</td>
							<td class="small">{when(dl.createdAt)}</td>
						</tr>
					))}
				</tbody>
			</table>
		</div>
	);
}

/** The message body as stored, pretty-printed when it is JSON (text: hono/jsx escapes it). */
function prettyBody(body: string): string {
	try {
		return JSON.stringify(JSON.parse(body), null, 2);
	} catch {
		return body;
	}
}

export interface DetailNotes {
	/** The action just done (after its redirect). */
	done?: "replayed" | "discarded";
	/** A problem of an action, in words. */
	error?: string;
}

/** The detail page of one dead letter (also the answer of a refused action). */
export async function detailPage(c: Context<AppEnv>, id: string, notes: DetailNotes = {}) {
	const detail = await apiFor(c).getDeadLetter(id);
	return c.html(<Detail detail={detail} notes={notes} />);
}

function Detail(props: { detail: DeadLetterDetail; notes: DetailNotes }) {
	const { deadLetter: dl, command } = props.detail;
	const { done, error } = props.notes;
	return (
		<AdminPage title={`Dead letter ${dl.id}`} section="dead-letters">
			<p class="small">
				<a href={LIST}>All dead letters</a>
			</p>
			<h1>
				Dead letter{command ? `: ${command.kind}` : ""} <Badge value={dl.status} />
			</h1>
			<p class="mono small">{dl.id}</p>
			{error ? <Notice kind="bad">{error}</Notice> : null}
			{done === "replayed" && dl.status === "replayed" ? (
				<Notice kind="ok">
					{isWebhookDeadLetter(dl)
						? "Replayed: the webhook was sent again on a fresh retry schedule. The endpoint's delivery log shows its attempts."
						: "Replayed: the command was sent again. Its status below follows it until it settles."}
				</Notice>
			) : done === "discarded" && dl.status === "discarded" ? (
				<Notice kind="ok">
					{isWebhookDeadLetter(dl)
						? "Discarded: this webhook will not be sent again."
						: "Discarded: the command was cancelled."}
				</Notice>
			) : dl.status !== "pending" ? (
				<Notice>{whyNoActions(dl)}</Notice>
			) : null}
			{dl.status === "pending" ? <Actions dl={dl} /> : null}

			<section id="command" aria-labelledby="command-heading" data-admin-refresh>
				<h2 id="command-heading">Command</h2>
				{command ? (
					<>
						<CommandStatus command={command} />
						<CommandFacts command={command} />
					</>
				) : (
					<p>There is no command for this message.</p>
				)}
			</section>

			<h2>Delivery</h2>
			<dl class="kv">
				<dt>Queue</dt>
				<dd>
					<code>{dl.queue}</code>
				</dd>
				<dt>Message</dt>
				<dd>
					<code>{dl.messageId}</code>
				</dd>
				<dt>Link</dt>
				<dd>{dl.linkId ? <code>{dl.linkId}</code> : "none"}</dd>
				<dt>Command number</dt>
				<dd>{dl.seq ?? "none"}</dd>
				<dt>Delivery attempts</dt>
				<dd>{dl.attempts}</dd>
				<dt>Last error</dt>
				<dd>{dl.lastError ? <code>{dl.lastError}</code> : "none"}</dd>
				<dt>Dead-lettered</dt>
				<dd>{when(dl.createdAt)}</dd>
				<dt>Updated</dt>
				<dd>{when(dl.updatedAt)}</dd>
			</dl>

			<h2>Message body</h2>
			<pre class="message-body">{prettyBody(dl.body)}</pre>
		</AdminPage>
	);
}

/** Replay (a form, straight away) and Discard (a link to its confirmation step). */
function Actions(props: { dl: DeadLetterView }) {
	const base = deadLetterHref(props.dl.id);
	return (
		<section class="panel" aria-labelledby="dl-actions">
			<h2 id="dl-actions">What to do</h2>
			{isWebhookDeadLetter(props.dl) ? (
				<p>
					<strong>Replay</strong> sends this webhook again on a fresh retry schedule: make sure the
					endpoint answers first (the last error below). <strong>Discard</strong> only marks it
					handled.
				</p>
			) : (
				<p>
					<strong>Replay</strong> sends the command again: fix what made it fail first (the last
					error below). <strong>Discard</strong> cancels the command instead.
				</p>
			)}
			<div class="actions">
				<form method="post" action={`${base}/replay`}>
					<button type="submit">Replay</button>
				</form>
				<a class="button secondary" href={`${base}/discard`}>
					Discard…
				</a>
			</div>
		</section>
	);
}

export const deadLetterPages = new Hono<AppEnv>()
	.get("/", async (c) => {
		const status = oneOf(c.req.query("status"), DEAD_LETTER_STATUSES);
		const linkId = idFilter(c.req.query("linkId"));
		const cursor = c.req.query("cursor") || undefined;
		const empty = { items: [] as DeadLetterView[], nextCursor: null as string | null };
		const { page, problem } = await listOrProblem(c, empty, () =>
			apiFor(c).listDeadLetters({ status, linkId, cursor }),
		);
		const { items, nextCursor } = page;
		const filters = { status, linkId };
		return c.html(
			<AdminPage title="Dead letters" section="dead-letters">
				<h1>Dead letters</h1>
				<p>
					Commands that failed every retry, and messages the service could not read. A pending dead
					letter holds its link's commands until it is replayed or discarded.
				</p>
				<DeadLetterFilters {...filters} />
				{problem ? <Notice kind="bad">{problem}</Notice> : null}
				{items.length === 0 && !problem ? (
					<p class="empty">
						{status || linkId
							? "No dead letter matches these filters."
							: "No dead letters. All clear."}
					</p>
				) : items.length > 0 ? (
					<Table items={items} />
				) : null}
				<Pager path={LIST} filters={filters} cursor={cursor} nextCursor={nextCursor} />
			</AdminPage>,
		);
	})
	.get("/:id", (c) => {
		const done = oneOf(c.req.query("done"), ["replayed", "discarded"] as const);
		return detailPage(c, pathId(c, "id", "deadLetter"), done ? { done } : {});
	});

/** Why a dead letter that is no longer pending shows no action. */
function whyNoActions(dl: DeadLetterView): string {
	switch (dl.status) {
		case "replayed":
			return `This dead letter was replayed on ${when(dl.updatedAt)}: its command was sent again. There is nothing left to do here; its command's status is below.`;
		case "discarded":
			return `This dead letter was discarded on ${when(dl.updatedAt)}: its command was cancelled. There is nothing left to do here.`;
		case "invalid":
			return "This message was not a command the service can read, so there is nothing to replay or discard. It is kept here for inspection.";
		default:
			return "";
	}
}
