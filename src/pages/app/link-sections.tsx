/** @jsxImportSource hono/jsx */
/**
 * The parts of a link's page: the upload URL (with its QR code),
 * the settings, and the tables of commands, uploads and files. Each is a
 * plain component of what the API answered.
 */
import { raw } from "hono/html";
import { renderSVG } from "uqr";
import { COMMAND_LABELS, commandExplanation, formatBytes } from "../../client/vocabulary";
import type { CommandView, FileView, LinkSettingsView, UploadView } from "../../contract";
import { isFinal } from "../../contract";
import { Badge, ColumnHeads, when } from "../layout";
import { count, KIND_WORDS, TableWrap } from "./frame";

/**
 * The upload URL with a copy button and its QR code: in the create answer
 * (`fresh`), and on the link's page while the link is open (the API hands it
 * back from the sealed secret, GET /api/links/:linkId/upload-url). The QR
 * code is uqr's SVG (rects and a path with presentation attributes: no style
 * attribute, nothing the CSP blocks).
 */
export function UploadUrlPanel(props: { url: string; fresh?: boolean }) {
	const svg = renderSVG(props.url).replace("<svg ", '<svg aria-hidden="true" focusable="false" ');
	return (
		<section class="panel once" aria-labelledby="once-heading">
			<h2 id="once-heading">{props.fresh ? "Your link is ready: send it" : "Upload link"}</h2>
			<p>
				Send it to the people who should send you files. Anyone who has it can send files while the
				link is open, so share it only with them.
			</p>
			<div class="once-body">
				<div class="field once-url">
					<label for="upload-url">Upload link</label>
					<div class="copy-row">
						<input id="upload-url" type="text" readonly value={props.url} spellcheck={false} />
						<button type="button" class="secondary" data-copy="upload-url" hidden>
							Copy
						</button>
					</div>
					<span class="hint" data-copy-status role="status" />
					<p>
						<a href={props.url} target="_blank" rel="noopener noreferrer">
							Open the upload page
						</a>{" "}
						<span class="small muted">(in a new tab)</span>
					</p>
				</div>
				<div class="qr" role="img" aria-label="QR code of the upload link">
					{raw(svg)}
				</div>
			</div>
		</section>
	);
}

const list = (items: string[], none: string) => (items.length ? items.join(", ") : none);

/** Every setting of the link, in words. */
export function SettingsList(props: { settings: LinkSettingsView }) {
	const s = props.settings;
	return (
		<dl class="kv">
			<dt>Description</dt>
			<dd>{s.description || <span class="muted">none</span>}</dd>
			<dt>Largest file</dt>
			<dd>{formatBytes(s.maxFileBytes)}</dd>
			<dt>Number of files</dt>
			<dd>{s.maxFiles === null ? "no limit" : count(s.maxFiles)}</dd>
			<dt>All files together</dt>
			<dd>{formatBytes(s.maxTotalBytes)}</dd>
			<dt>Allowed extensions</dt>
			<dd>{list(s.allowedExtensions, "any")}</dd>
			<dt>Allowed MIME types</dt>
			<dd>{list(s.allowedMimeTypes, "any")}</dd>
			<dt>Expires</dt>
			<dd>{when(s.expiresAt)}</dd>
			<dt>Uploader's name</dt>
			<dd>{s.requireUploaderName ? "required" : "not asked"}</dd>
			<dt>Uploader's e-mail</dt>
			<dd>{s.requireUploaderEmail ? "required" : "not asked"}</dd>
			<dt>Password</dt>
			<dd>{s.passwordRequired ? "required" : "none"}</dd>
			<dt>Files arriving as it closes</dt>
			<dd>
				{s.lateFinalize === "reject"
					? "discarded unless confirmed in time"
					: "kept when they finished uploading in time"}
			</dd>
		</dl>
	);
}

/**
 * A command's status; while not final, a live badge that web/pages/live-command.ts
 * polls (`data-live-command`), with the reason of a failure next to it.
 */
export function CommandStatusBadge(props: { command: CommandView; live?: boolean }) {
	const c = props.command;
	const reason = commandExplanation(c);
	if (isFinal(c.status) || props.live === false) {
		return (
			<span>
				<Badge value={c.status} label={COMMAND_LABELS[c.status]} />
				{reason ? <span class="small"> {reason}</span> : null}
			</span>
		);
	}
	return (
		<span>
			<span
				class={`badge ${c.status}`}
				data-live-command={`/app/commands/${c.id}/status.json`}
				data-status={c.status}
			>
				{COMMAND_LABELS[c.status]}
			</span>{" "}
			<span class="small" data-live-command-reason>
				{reason ?? ""}
			</span>
		</span>
	);
}

export function CommandsTable(props: { commands: CommandView[]; caption: string; live?: boolean }) {
	return (
		<TableWrap label={props.caption}>
			<table>
				<caption class="visually-hidden">{props.caption}</caption>
				<ColumnHeads
					columns={["Command", "Status", "Seq", "Epoch", "Issued", "Finished"]}
					numeric={["Seq"]}
				/>
				<tbody>
					{props.commands.map((c) => (
						<tr>
							<td>
								<a href={`/app/commands/${c.id}`}>{KIND_WORDS[c.kind] ?? c.kind}</a>
							</td>
							<td>
								<CommandStatusBadge
									command={c}
									{...(props.live === false ? { live: false } : {})}
								/>
							</td>
							<td class="num">{c.seq}</td>
							<td>
								{c.acceptedEpoch}
								{c.appliedEpoch !== null && c.appliedEpoch !== c.acceptedEpoch
									? ` → ${c.appliedEpoch}`
									: ""}
							</td>
							<td>{when(c.createdAt)}</td>
							<td>{c.finishedAt ? when(c.finishedAt) : "—"}</td>
						</tr>
					))}
				</tbody>
			</table>
		</TableWrap>
	);
}

const UPLOAD_BADGE: Record<UploadView["state"], { value: string; label: string }> = {
	open: { value: "pending", label: "uploading" },
	completed: { value: "applying", label: "finishing" },
	finalized: { value: "received", label: "received" },
	aborted: { value: "failed", label: "aborted" },
	rejected: { value: "rejected", label: "rejected" },
};

export function UploadsTable(props: { uploads: UploadView[] }) {
	return (
		<TableWrap label="Uploads">
			<table>
				<caption class="visually-hidden">Upload sessions, newest first</caption>
				<ColumnHeads columns={["File", "State", "Progress", "Uploader", "Started"]} />
				<tbody>
					{props.uploads.map((u) => {
						const pct = u.size > 0 ? Math.floor((u.offset / u.size) * 100) : 100;
						const badge = UPLOAD_BADGE[u.state];
						return (
							<tr>
								<td class="name">{u.name}</td>
								<td>
									<Badge value={badge.value} label={badge.label} />
								</td>
								<td class="progress-cell">
									{u.state === "open" ? (
										<progress max={100} value={pct} aria-label={`Progress of ${u.name}`} />
									) : null}
									<span class="small">
										{formatBytes(u.offset)} of {formatBytes(u.size)} ({pct}%)
									</span>
								</td>
								<td>{uploaderOf(u)}</td>
								<td>{when(u.createdAt)}</td>
							</tr>
						);
					})}
				</tbody>
			</table>
		</TableWrap>
	);
}

function uploaderOf(x: { uploaderName: string | null; uploaderEmail: string | null }) {
	const parts = [x.uploaderName, x.uploaderEmail].filter((p): p is string => !!p);
	return parts.length ? parts.join(", ") : <span class="muted">not given</span>;
}

export function FilesTable(props: { files: FileView[] }) {
	return (
		<TableWrap label="Files received">
			<table>
				<caption class="visually-hidden">Files received, newest first</caption>
				<ColumnHeads
					columns={["File", "Size", "Type", "Uploader", "Received", "Download"]}
					numeric={["Size"]}
				/>
				<tbody>
					{props.files.map((f) => (
						<tr>
							<td class="name">
								{f.name}
								{f.sha256 ? (
									<span class="small muted mono" title={`SHA-256 ${f.sha256}`}>
										{" "}
										sha256 {f.sha256.slice(0, 12)}…
									</span>
								) : null}
							</td>
							<td class="num">{formatBytes(f.size)}</td>
							<td class="mono">{f.type}</td>
							<td>{uploaderOf(f)}</td>
							<td>{when(f.createdAt)}</td>
							<td>
								<a href={`/app/files/${f.id}/download`} download>
									Download<span class="visually-hidden"> {f.name}</span>
								</a>
							</td>
						</tr>
					))}
				</tbody>
			</table>
		</TableWrap>
	);
}
