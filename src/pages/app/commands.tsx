/** @jsxImportSource hono/jsx */
/**
 * A command's page (/app/commands/:commandId), where a revoke or delete lands
 * after its confirmation: the status, live until settled (web/pages/live-command.ts
 * polls `status.json`), the reason when it failed, its epochs, attempts and
 * steps. `status.json` (src/pages/command-status.ts) answers `{ status,
 * label, final, reason }`; it is mounted before the session redirect so a
 * poll whose session ended gets a 401 instead of the sign-in page's HTML.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../app-env";
import type { CommandView } from "../../contract";
import { apiFor } from "../api-client";
import { pathId } from "../ids";
import { when } from "../layout";
import { AppPage, KIND_WORDS } from "./frame";
import { CommandStatusBadge } from "./link-sections";

const HEADING: Record<string, string> = {
	revoke: "Revoking the link",
	delete: "Deleting the link and its files",
	expire: "Expiring the link",
	finalize: "Receiving a file",
};

const STEP_WORDS: Record<string, string> = {
	"cleanup-uploads": "Stop the uploads under way",
	"purge-objects": "Remove the files from storage",
	"purge-index": "Remove the files from the index",
	project: "Update the list of links",
};

function CommandPage(props: { command: CommandView; linkTitle: string | null }) {
	const c = props.command;
	return (
		<AppPage title={HEADING[c.kind] ?? "Command"}>
			<p class="small">
				{props.linkTitle !== null ? (
					<a href={`/app/links/${c.linkId}`}>← {props.linkTitle}</a>
				) : (
					<a href="/app">← Your links</a>
				)}
			</p>
			<h1>{HEADING[c.kind] ?? "Command"}</h1>
			<div class="panel command-status" role="status">
				<p>
					Status: <CommandStatusBadge command={c} />
				</p>
			</div>
			<p class="muted small">
				Commands travel through a queue and are applied in order. This page follows the command
				until it is settled; you can leave it at any time.
			</p>
			<dl class="kv" data-command-details>
				<dt>Command</dt>
				<dd>
					{KIND_WORDS[c.kind] ?? c.kind} <span class="mono small">{c.id}</span>
				</dd>
				<dt>Issued</dt>
				<dd>{when(c.createdAt)}</dd>
				<dt>Accepted at epoch</dt>
				<dd>{c.acceptedEpoch}</dd>
				<dt>Applied at epoch</dt>
				<dd>{c.appliedEpoch ?? "not yet"}</dd>
				<dt>Attempts</dt>
				<dd>{c.attempts}</dd>
				{c.steps.length ? (
					<>
						<dt>Steps</dt>
						<dd>
							<ul class="steps">
								{c.steps.map((s) => (
									<li>
										{STEP_WORDS[s.name] ?? s.name}: {s.done ? "done" : "not yet"}
									</li>
								))}
							</ul>
						</dd>
					</>
				) : null}
				<dt>Finished</dt>
				<dd>{c.finishedAt ? when(c.finishedAt) : "not yet"}</dd>
			</dl>
			<p>
				<a href="/app">Back to your links</a>
			</p>
		</AppPage>
	);
}

export const commandPages = new Hono<AppEnv>().get("/:commandId", async (c) => {
	const api = apiFor(c);
	const command = await api.getCommand(pathId(c, "commandId", "command"));
	// After a delete the link answers 410: the page then links to the list.
	const linkTitle = await api.getLink(command.linkId).then(
		({ link }) => link.settings.title,
		() => null,
	);
	return c.html(<CommandPage command={command} linkTitle={linkTitle} />);
});
