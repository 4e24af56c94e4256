/** @jsxImportSource hono/jsx */
/**
 * A command as the console shows it: its status badge (live until it
 * settles: web/pages/live-command.ts polls src/pages/command-status.ts), why it is there,
 * and its facts (kind, link, epochs, attempts, steps, times).
 */
import { COMMAND_LABELS, commandExplanation, settledForDisplay } from "../../client/vocabulary";
import type { CommandView } from "../../contract/index";
import { Badge, when } from "../layout";

/**
 * The status badge and its reason; followed live while the command can still
 * change by itself (a settled one carries `data-final`, so the script leaves it).
 */
export function CommandStatus(props: { command: CommandView }) {
	const c = props.command;
	const live = !settledForDisplay(c.status);
	return (
		<p role="status" class="command-status">
			<span class="muted">Status: </span>
			<span
				class={`badge ${c.status}`}
				data-live-command={`/admin/commands/${encodeURIComponent(c.id)}/status.json`}
				data-status={c.status}
				data-final={live ? undefined : "1"}
			>
				{COMMAND_LABELS[c.status]}
			</span>{" "}
			<span data-live-command-reason>{commandExplanation(c) ?? ""}</span>
		</p>
	);
}

/** Every fact of a command, as a key-value list. */
export function CommandFacts(props: { command: CommandView }) {
	const c = props.command;
	return (
		<dl class="kv">
			<dt>Kind</dt>
			<dd>{c.kind}</dd>
			<dt>Command</dt>
			<dd>
				<code>{c.id}</code> (number {c.seq} of its link)
			</dd>
			<dt>Link</dt>
			<dd>
				<a href={`/admin/links/${encodeURIComponent(c.linkId)}/audit`}>
					<code>{c.linkId}</code>
				</a>
			</dd>
			<dt>Issued by</dt>
			<dd>{c.actor}</dd>
			<dt>Accepted at epoch</dt>
			<dd>{c.acceptedEpoch}</dd>
			<dt>Applied at epoch</dt>
			<dd>{c.appliedEpoch ?? "not applied"}</dd>
			<dt>Attempts</dt>
			<dd>{c.attempts}</dd>
			<dt>Last error</dt>
			<dd>{c.error ? <code>{c.error}</code> : "none"}</dd>
			<dt>Steps</dt>
			<dd>
				{c.steps.length === 0
					? "none"
					: c.steps.map((s, i) => (
							<>
								{i > 0 ? ", " : ""}
								{s.name}{" "}
								<Badge value={s.done ? "succeeded" : "pending"} label={s.done ? "done" : "to do"} />
							</>
						))}
			</dd>
			<dt>Created</dt>
			<dd>{when(c.createdAt)}</dd>
			<dt>Updated</dt>
			<dd>{when(c.updatedAt)}</dd>
			<dt>Finished</dt>
			<dd>{c.finishedAt ? when(c.finishedAt) : "not yet"}</dd>
		</dl>
	);
}

/** The status badge without the live element, for tables. */
export function CommandBadge(props: { status: CommandView["status"] }) {
	return <Badge value={props.status} label={COMMAND_LABELS[props.status]} />;
}
