/** @jsxImportSource hono/jsx */
/**
 * One link's audit (GET /api/admin/links/:linkId/audit): the link at a
 * glance, then every finding in words (audit-words.ts), or clearly none.
 * "Sweep and audit" (a POST: it settles due work first) answers the same page.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import type { AppEnv } from "../../app-env";
import { ReceiveLinkError } from "../../client/problem";
import { formatBytes } from "../../client/vocabulary";
import { type AuditReport, type LinkView, TERMINAL_STATES } from "../../contract/index";
import { apiFor } from "../api-client";
import { pathId } from "../ids";
import { Badge, Notice, when } from "../layout";
import { findingWords } from "./audit-words";
import { CommandBadge } from "./command-view";
import { AdminPage } from "./frame";
import { auditHref, ownerLinksHref } from "./links";

function LinkFacts(props: { link: LinkView }) {
	const l = props.link;
	return (
		<dl class="kv">
			<dt>State</dt>
			<dd>
				<Badge value={l.state} /> {l.closing ? <Badge value="closing" /> : null}
			</dd>
			<dt>Epoch</dt>
			<dd>
				{l.epoch}
				{l.terminalEpoch !== null ? ` (closed at epoch ${l.terminalEpoch})` : ""}
			</dd>
			<dt>Owner</dt>
			<dd>
				<a class="mono" href={ownerLinksHref(l.ownerId)}>
					{l.ownerId}
				</a>
			</dd>
			<dt>Files</dt>
			<dd>
				{l.counters.files} ({formatBytes(l.counters.bytes)}); {l.counters.reservedFiles} in progress
				({formatBytes(l.counters.reservedBytes)})
			</dd>
			<dt>Waiting commands</dt>
			<dd>
				{l.pendingCommands.length === 0
					? "none"
					: l.pendingCommands.map((p, i) => (
							<>
								{i > 0 ? ", " : ""}
								{p.kind} <CommandBadge status={p.status} />
							</>
						))}
			</dd>
			<dt>Expires</dt>
			<dd>{l.settings.expiresAt ? when(l.settings.expiresAt) : "never"}</dd>
			<dt>Created</dt>
			<dd>{when(l.createdAt)}</dd>
		</dl>
	);
}

function Findings(props: { report: AuditReport; swept: boolean }) {
	const { report, swept } = props;
	const clean = report.violations.length === 0;
	return (
		<section aria-labelledby="findings" data-audit={clean ? "clean" : "findings"}>
			<h2 id="findings">Findings</h2>
			{clean ? (
				<Notice kind="ok">
					<strong>No findings.</strong> The link keeps every invariant this audit checks
					{swept ? " (due work was swept first)" : ""}.
				</Notice>
			) : (
				<Notice kind="bad">
					<strong>
						{report.violations.length} finding{report.violations.length === 1 ? "" : "s"}.
					</strong>{" "}
					The link breaks the invariants below.
				</Notice>
			)}
			{report.settled ? null : (
				<Notice kind="warn">
					Commands are still waiting on this link, so the checks that need a quiet link were
					skipped. Audit again once they settle, or sweep and audit.
				</Notice>
			)}
			{clean ? null : (
				<ol class="findings">
					{report.violations.map((v) => {
						const w = findingWords(v);
						return (
							<li>
								<strong>{w.rule}.</strong> {w.text}
								<div class="muted small mono">{v}</div>
							</li>
						);
					})}
				</ol>
			)}
		</section>
	);
}

/** The link's view; a deleted link is a tombstone the API no longer shows (410), the audit still runs. */
async function linkOrTombstone(c: Context<AppEnv>, linkId: string): Promise<LinkView | null> {
	try {
		return (await apiFor(c).getLink(linkId)).link;
	} catch (error) {
		if (error instanceof ReceiveLinkError && error.code === "link-deleted") return null;
		throw error;
	}
}

async function auditPage(c: Context<AppEnv>, swept: boolean) {
	const linkId = pathId(c, "linkId", "link");
	// The audit first: with a sweep, the link shown is the link after it.
	const report = await apiFor(c).audit(linkId, { sweep: swept });
	const link = await linkOrTombstone(c, linkId);
	const closed = !link || (TERMINAL_STATES as readonly string[]).includes(link.state);
	const name = link ? `“${link.settings.title}”` : `link ${linkId}`;
	return c.html(
		<AdminPage title={`Audit of ${name}`} section="links">
			<p class="small">
				{link ? (
					<>
						<a href={ownerLinksHref(link.ownerId)}>This owner's links</a> ·{" "}
					</>
				) : null}
				<a href="/admin/links">All links</a>
			</p>
			<h1>Audit of {name}</h1>
			<p class="mono small">{linkId}</p>
			{link ? (
				<LinkFacts link={link} />
			) : (
				<p>
					<Badge value="deleted" /> This link was deleted: its settings are gone, and the audit
					checks that it left nothing behind.
				</p>
			)}
			<Findings report={report} swept={swept} />
			<div class="actions">
				<a class="button secondary" href={auditHref(linkId)}>
					Audit again
				</a>
				{closed ? (
					<form method="post" action={`${auditHref(linkId)}/sweep`}>
						<button type="submit" class="secondary">
							Sweep and audit
						</button>
					</form>
				) : null}
			</div>
			{closed ? (
				<p class="muted small">
					Sweep and audit runs the closed link's clean-up sweep now instead of a minute after it
					closed (leftover uploads aborted, objects that are not files removed), then audits.
				</p>
			) : null}
		</AdminPage>,
	);
}

export const auditPages = new Hono<AppEnv>()
	.get("/:linkId/audit", (c) => auditPage(c, false))
	.post("/:linkId/audit/sweep", (c) => auditPage(c, true));
