/** @jsxImportSource hono/jsx */
/**
 * A link's page: its state, epoch and counters, what it may do now (pause or
 * resume with the ETag the page was rendered with; revoke and delete through
 * a confirmation), its settings, pending commands, uploads, files and command
 * history. The upload URL (copy button, QR code) shows while the link is open
 * (the API opens its sealed secret); creating a link redirects here with
 * `?done=created`.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import type { AppEnv } from "../../app-env";
import { ReceiveLinkError } from "../../client/problem";
import { formatBytes, LINK_STATE_EXPLANATIONS } from "../../client/vocabulary";
import type { LinkView } from "../../contract";
import { apiFor } from "../api-client";
import { errorPage } from "../errors";
import { pathId } from "../ids";
import { Badge, Notice, when } from "../layout";
import { zipHref } from "./files";
import { AppPage, count, isTerminal, RedirectNotice } from "./frame";
import {
	CommandsTable,
	FilesTable,
	SettingsList,
	UploadsTable,
	UploadUrlPanel,
} from "./link-sections";

const SECTION_PAGE = 20;

/** What the link may do now, and why not when it may not (in words). */
function Actions(props: { link: LinkView; etag: string }) {
	const l = props.link;
	const base = `/app/links/${l.id}`;
	const terminal = isTerminal(l.state);
	const stateChange = !terminal && !l.closing;
	const note = terminal
		? `This link is ${l.state}: it can no longer be paused, resumed, edited or revoked.${
				l.state === "deleted" ? "" : " You can still delete it and its files."
			}`
		: l.closing
			? "This link is closing (a revoke or delete is being applied): pausing, resuming and editing wait until it is settled."
			: null;
	return (
		<section aria-labelledby="actions-heading">
			<h2 id="actions-heading">Actions</h2>
			{note ? <Notice kind="warn">{note}</Notice> : null}
			<div class="actions">
				{l.state === "paused" ? (
					<form method="post" action={`${base}/resume`}>
						<input type="hidden" name="etag" value={props.etag} />
						<button type="submit" disabled={!stateChange}>
							Resume
						</button>
					</form>
				) : (
					<form method="post" action={`${base}/pause`}>
						<input type="hidden" name="etag" value={props.etag} />
						<button type="submit" class="secondary" disabled={!stateChange}>
							Pause
						</button>
					</form>
				)}
				{stateChange ? (
					<a class="button secondary" href={`${base}/settings`}>
						Edit settings
					</a>
				) : (
					<button type="button" class="secondary" disabled>
						Edit settings
					</button>
				)}
				{terminal ? (
					<button type="button" class="danger" disabled>
						Revoke…
					</button>
				) : (
					<a class="button danger" href={`${base}/revoke`}>
						Revoke…
					</a>
				)}
				{l.state === "deleted" ? null : (
					<a class="button danger" href={`${base}/delete`}>
						Delete…
					</a>
				)}
			</div>
		</section>
	);
}

function Status(props: { link: LinkView }) {
	const l = props.link;
	return (
		<dl class="kv">
			<dt>State</dt>
			<dd>
				<Badge value={l.state} /> {LINK_STATE_EXPLANATIONS[l.state]}
			</dd>
			<dt>Closing</dt>
			<dd>{l.closing ? "yes: a revoke or delete is being applied" : "no"}</dd>
			<dt>Epoch</dt>
			<dd>{l.epoch}</dd>
			<dt>Files received</dt>
			<dd>
				{count(l.counters.files)} ({formatBytes(l.counters.bytes)})
			</dd>
			<dt>Reserved</dt>
			<dd>
				{count(l.counters.reservedFiles)} {l.counters.reservedFiles === 1 ? "file" : "files"} (
				{formatBytes(l.counters.reservedBytes)}) for uploads under way
			</dd>
			<dt>Expires</dt>
			<dd>{when(l.settings.expiresAt)}</dd>
			<dt>Created</dt>
			<dd>{when(l.createdAt)}</dd>
		</dl>
	);
}

const cursorOf = (c: Context<AppEnv>, name: string) => c.req.query(name) ?? null;
const nextHref = (linkId: string, name: string, cursor: string | null) =>
	cursor ? `/app/links/${linkId}?${name}=${encodeURIComponent(cursor)}#${name}` : null;

/**
 * The upload URL of a link that still takes uploads (from its sealed secret),
 * or null: a closed link's URL no longer works, and a link made before
 * secrets were sealed has none to show.
 */
async function openUploadUrl(
	api: ReturnType<typeof apiFor>,
	link: LinkView,
): Promise<string | null> {
	if ((link.state !== "active" && link.state !== "paused") || link.closing) return null;
	try {
		return await api.getUploadUrl(link.id);
	} catch (error) {
		if (error instanceof ReceiveLinkError && error.code === "upload-url-unavailable") return null;
		throw error;
	}
}

/** Renders the page of `linkId`. */
export async function linkPage(c: Context<AppEnv>, linkId: string) {
	const api = apiFor(c);
	let got: { link: LinkView; etag: string | null };
	try {
		got = await api.getLink(linkId);
	} catch (error) {
		if (error instanceof ReceiveLinkError && error.code === "link-deleted")
			return errorPage(
				c,
				"app",
				410,
				"This link was deleted",
				"The link and every file it received are gone. Its upload link no longer works.",
				error.code,
			);
		throw error;
	}
	const { link } = got;
	const etag = got.etag ?? `"${link.epoch}"`;
	const uploadUrl = await openUploadUrl(api, link);
	const [uploads, files, commands] = await Promise.all([
		api.listUploads(linkId, { limit: SECTION_PAGE, cursor: cursorOf(c, "uploads") }),
		api.listFiles(linkId, { limit: SECTION_PAGE, cursor: cursorOf(c, "files") }),
		api.listCommands(linkId, { limit: SECTION_PAGE, cursor: cursorOf(c, "commands") }),
	]);
	const section = (name: string, cursor: string | null) => {
		const next = nextHref(linkId, name, cursor);
		return next ? (
			<p class="pager">
				<a href={next}>Next page</a>
			</p>
		) : null;
	};
	return c.html(
		<AppPage title={link.settings.title}>
			<p class="small">
				<a href="/app">← Your links</a>
			</p>
			<h1>{link.settings.title}</h1>
			<RedirectNotice done={c.req.query("done")} problem={c.req.query("problem")} />
			{uploadUrl ? (
				<UploadUrlPanel url={uploadUrl} fresh={c.req.query("done") === "created"} />
			) : link.state === "active" || link.state === "paused" ? (
				<p class="muted small">
					This link's upload link was shown only when it was created (it was made before the service
					kept it for you). If it was lost, create a new link.
				</p>
			) : null}
			<Status link={link} />
			<Actions link={link} etag={etag} />

			<h2 id="pending">Pending commands</h2>
			{link.pendingCommands.length ? (
				<CommandsTable commands={link.pendingCommands} caption="Pending commands" />
			) : (
				<p class="muted">None.</p>
			)}

			<h2 id="settings">Settings</h2>
			<SettingsList settings={link.settings} />

			<h2 id="uploads">Uploads</h2>
			<p class="small muted">
				Every upload, newest first: in progress (with how much has arrived), received, or stopped.
			</p>
			{uploads.items.length ? (
				<UploadsTable uploads={uploads.items} />
			) : (
				<p class="muted">None yet.</p>
			)}
			{section("uploads", uploads.nextCursor)}

			<h2 id="files">Files received</h2>
			{files.items.length ? (
				<>
					<p>
						<a href={zipHref(link.id)} download>
							Download all (ZIP)
						</a>
					</p>
					<FilesTable files={files.items} />
				</>
			) : (
				<p class="muted">None yet.</p>
			)}
			{section("files", files.nextCursor)}

			<h2 id="commands">Command history</h2>
			{commands.items.length ? (
				<CommandsTable
					commands={commands.items}
					caption="Command history, newest first"
					live={false}
				/>
			) : (
				<p class="muted">None yet.</p>
			)}
			{section("commands", commands.nextCursor)}
		</AppPage>,
	);
}

export const linkRoutes = new Hono<AppEnv>().get("/:linkId", (c) =>
	linkPage(c, pathId(c, "linkId", "link")),
);
