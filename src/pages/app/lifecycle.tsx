/** @jsxImportSource hono/jsx */
/**
 * What a link's page can ask of it. Pause and resume are forms carrying the
 * ETag the page was rendered with (sent as `If-Match`, so a change made
 * meanwhile is a conflict, not a surprise), answered with a redirect back and
 * a notice. Revoke and delete first show a confirmation that says what will
 * happen; the confirmed form (with an Idempotency-Key, so a double submit is
 * one command) leads to the command's page, which follows it to the end.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import type { AppEnv } from "../../app-env";
import { problemOf } from "../../client/problem";
import { formatBytes } from "../../client/vocabulary";
import type { CommandAccepted } from "../../contract";
import { apiFor } from "../api-client";
import { pathId } from "../ids";
import { Notice } from "../layout";
import { AppPage, count, isTerminal } from "./frame";

type Op = "pause" | "resume" | "revoke" | "delete";

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** Sends `op` with the form's ETag and key; a problem 404 is thrown (a page), others redirect back. */
async function send(c: Context<AppEnv>, op: Op) {
	const linkId = pathId(c, "linkId", "link");
	const form = await c.req.parseBody();
	const ifMatch = str(form.etag);
	const idempotencyKey = str(form.idempotencyKey);
	const res = await apiFor(c).lifecycleResponse(op, linkId, {
		...(ifMatch ? { ifMatch } : {}),
		...(idempotencyKey ? { idempotencyKey } : {}),
	});
	const back = `/app/links/${linkId}`;
	if (res.status === 200) {
		await res.body?.cancel();
		return c.redirect(`${back}?done=${op === "pause" ? "paused" : "resumed"}`, 303);
	}
	if (res.status === 202) {
		const { command } = (await res.json()) as CommandAccepted;
		return c.redirect(`/app/commands/${command.id}`, 303);
	}
	const problem = await problemOf(res);
	if (problem.status === 404) throw problem;
	return c.redirect(`${back}?problem=${encodeURIComponent(problem.code)}`, 303);
}

const WARNING: Record<"revoke" | "delete", string[]> = {
	revoke: [
		"The upload link stops working for good: nobody can send files with it again, and uploads under way are stopped.",
		"Files already received stay available to you.",
		"This cannot be undone.",
	],
	delete: [
		"Every file this link received is removed from storage, and the link is gone for good.",
		"Uploads under way are stopped, and the upload link stops working.",
		"This cannot be undone.",
	],
};

async function confirmPage(c: Context<AppEnv>, op: "revoke" | "delete") {
	const linkId = pathId(c, "linkId", "link");
	const { link, etag } = await apiFor(c).getLink(linkId);
	const title = op === "revoke" ? "Revoke this link?" : "Delete this link and its files?";
	const refused =
		op === "revoke" && isTerminal(link.state)
			? `This link is already ${link.state}: there is nothing to revoke.`
			: null;
	return c.html(
		<AppPage title={title}>
			<p class="small">
				<a href={`/app/links/${linkId}`}>← {link.settings.title}</a>
			</p>
			<h1>{title}</h1>
			<p>
				Link: <strong>{link.settings.title}</strong> ({link.state}, {count(link.counters.files)}{" "}
				{link.counters.files === 1 ? "file" : "files"}, {formatBytes(link.counters.bytes)})
			</p>
			{refused ? (
				<Notice kind="warn">{refused}</Notice>
			) : (
				<>
					<Notice kind={op === "delete" ? "bad" : "warn"}>
						{WARNING[op].map((line) => (
							<p>{line}</p>
						))}
						{op === "revoke" ? (
							<p>
								{link.settings.lateFinalize === "reject"
									? "Files the uploaders have not confirmed yet are discarded."
									: "Files that finished uploading in time are still received."}
							</p>
						) : null}
					</Notice>
					<form method="post" action={`/app/links/${linkId}/${op}`} class="actions">
						<input type="hidden" name="etag" value={etag ?? ""} />
						<input type="hidden" name="idempotencyKey" value={crypto.randomUUID()} />
						<button type="submit" class="danger">
							{op === "revoke" ? "Revoke the link" : "Delete the link and its files"}
						</button>
						<a class="button secondary" href={`/app/links/${linkId}`}>
							Cancel
						</a>
					</form>
				</>
			)}
			{refused ? (
				<p>
					<a href={`/app/links/${linkId}`}>Back to the link</a>
				</p>
			) : null}
		</AppPage>,
	);
}

export const lifecycleRoutes = new Hono<AppEnv>()
	.post("/:linkId/pause", (c) => send(c, "pause"))
	.post("/:linkId/resume", (c) => send(c, "resume"))
	.get("/:linkId/revoke", (c) => confirmPage(c, "revoke"))
	.post("/:linkId/revoke", (c) => send(c, "revoke"))
	.get("/:linkId/delete", (c) => confirmPage(c, "delete"))
	.post("/:linkId/delete", (c) => send(c, "delete"));
