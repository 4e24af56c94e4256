/** Owner routes for links: create, list, read, update settings, pause, resume. */
import { type Context, Hono } from "hono";
import type { AppEnv } from "../../app-env";
import {
	CommandAccepted,
	CommandList,
	CommandListQuery,
	CreatedLinkResponse,
	CreateLinkBody,
	FileList,
	LinkIdParam,
	LinkList,
	LinkResponse,
	ListQuery,
	OwnerUploadParams,
	PatchLinkBody,
	type SettingsInput,
	UploadList,
	UploadUrlResponse,
} from "../../contract/schemas";
import type { LinkView, SettingsUpdate } from "../../do/rpc";
import { unwrap } from "../../do/stub";
import { etagOf, type IfMatch, parseIfMatch } from "../../domain/lifecycle";
import { ProblemError, problem } from "../../domain/problems";
import { DEFAULT_SETTINGS, mergeSettings, type SettingsPatch } from "../../domain/settings";
import { hashPassword, sha256Hex } from "../../lib/crypto";
import { newLinkId, newSecret, uploadUrlOf } from "../../lib/ids";
import { openLinkSecret, sealLinkSecret } from "../../lib/seal";
import { accepted } from "../http/accepted";
import { idempotencyKeyOf } from "../http/idempotency";
import { filesOfLink, linkPage } from "../http/listings";
import { BODY_PROBLEMS, doc, LIST_PROBLEMS } from "../http/openapi";
import { publicOrigin } from "../http/origin";
import { DEFAULT_PAGE, encodeCursor, pageOf } from "../http/pagination";
import { jsonBody, valid } from "../http/validation";
import { ownerOrAdmin } from "../middleware/auth";
import { stubFor } from "../middleware/do-calls";

const TAGS = ["links"];
const LIFECYCLE_PROBLEMS = [
	"unauthorized",
	"link-not-found",
	"invalid-if-match",
	"epoch-mismatch",
	"terminal-pending",
	"link-revoked",
	"link-expired",
	"link-deleted",
] as const;

/** `If-Match: "<epoch>.<settingsRevision>"` or `"<epoch>"`, parsed; malformed is 400. */
export function ifMatchOf(header: string | undefined): IfMatch | undefined {
	const parsed = parseIfMatch(header);
	if (parsed === null) throw new ProblemError(problem("invalid-if-match"));
	return parsed;
}

/** A settings patch with the password hashed here, at the edge (PBKDF2). */
async function toUpdate(input: SettingsInput): Promise<SettingsUpdate> {
	const { password, ...rest } = input;
	const update: SettingsUpdate = rest;
	if (password !== undefined)
		update.passwordHash = password === null ? null : await hashPassword(password);
	return update;
}

/** The If-Match as hashed into a revoke/delete request: `3`, `3.2` or empty (stable for old keys). */
function ifMatchText(ifMatch: IfMatch | undefined): string {
	if (ifMatch === undefined) return "";
	return ifMatch.settingsRevision === null
		? String(ifMatch.epoch)
		: `${ifMatch.epoch}.${ifMatch.settingsRevision}`;
}

/** Pause or resume through the link's DO (synchronous); answers 200 with the ETag. */
async function transition(c: Context<AppEnv>, linkId: string, op: "pause" | "resume") {
	const stub = await stubFor(c, linkId);
	const ifMatch = ifMatchOf(c.req.header("if-match"));
	const caller = c.var.caller;
	const link = unwrap(
		await (op === "pause" ? stub.pause(caller, ifMatch) : stub.resume(caller, ifMatch)),
	);
	withEtag(c, link);
	return c.json({ link });
}

/** Issues a revoke or delete command through the link's DO; answers 202. */
async function issueCommand(c: Context<AppEnv>, linkId: string, kind: "revoke" | "delete") {
	const stub = await stubFor(c, linkId);
	const ifMatch = ifMatchOf(c.req.header("if-match"));
	const key = idempotencyKeyOf(c.req.header("idempotency-key"));
	const idempotency = key
		? { key, requestHash: await sha256Hex(`${kind}\n${linkId}\n${ifMatchText(ifMatch)}`) }
		: undefined;
	const { command } = unwrap(
		await stub.requestCommand({
			caller: c.var.caller,
			kind,
			...(ifMatch !== undefined ? { ifMatch } : {}),
			...(idempotency ? { idempotency } : {}),
		}),
	);
	return accepted(c, command);
}

/** What a list of one link's commands or uploads may answer. */
const LINK_LIST_PROBLEMS = [
	"unauthorized",
	"link-not-found",
	"link-deleted",
	"validation-failed",
] as const;

const COMMAND_PROBLEMS = [
	"unauthorized",
	"link-not-found",
	"invalid-if-match",
	"epoch-mismatch",
	"invalid-idempotency-key",
	"idempotency-key-reused",
	"link-revoked",
	"link-expired",
	"link-deleted",
] as const;

export function withEtag(c: { header: (k: string, v: string) => void }, link: LinkView) {
	c.header("ETag", etagOf(link));
	c.header("Cache-Control", "no-store");
}

/** The cap when MAX_LINKS_PER_OWNER is unset or not a whole number. */
const DEFAULT_MAX_LINKS = 1000;

/** MAX_LINKS_PER_OWNER (docs/deploy.md): the most links an owner may hold; "0": no cap. */
export function linkCap(env: Env): number | null {
	const value = String(env.MAX_LINKS_PER_OWNER ?? "").trim();
	if (value === "0") return null;
	const n = Number(value);
	return value !== "" && Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_MAX_LINKS;
}

export const links = new Hono<AppEnv>()
	.use(ownerOrAdmin)
	.post(
		"/",
		doc({
			summary: "Create a receive link",
			tags: TAGS,
			ok: { 201: CreatedLinkResponse },
			problems: [
				"unauthorized",
				"forbidden",
				...BODY_PROBLEMS,
				"too-many-links",
				"public-origin-unset",
			],
		}),
		jsonBody,
		valid("json", CreateLinkBody),
		async (c) => {
			const caller = c.var.caller;
			if (caller.kind !== "owner") {
				throw new ProblemError(problem("forbidden", "Links are created with an owner API key."));
			}
			// Before anything is created: a link whose upload URL cannot be named is no use.
			const origin = publicOrigin(c);
			const input = c.req.valid("json");
			const update = await toUpdate(input);
			const { passwordHash, ...patch } = update;
			const settings = mergeSettings(DEFAULT_SETTINGS, patch as SettingsPatch, Date.now());
			if (!settings.ok) throw new ProblemError(settings.problem);
			const linkId = await newLinkId(c.env.LINK_ID_SECRET);
			const { secret, hash } = await newSecret();
			const link = unwrap(
				await (await stubFor(c, linkId)).create({
					linkId,
					ownerId: caller.ownerId,
					tokenHash: hash,
					secretBox: await sealLinkSecret(c.env.LINK_ID_SECRET, linkId, secret),
					settings: settings.value,
					passwordHash: passwordHash ?? null,
					maxLinks: linkCap(c.env),
				}),
			);
			withEtag(c, link);
			c.header("Location", `/api/links/${linkId}`);
			return c.json({ link, uploadUrl: uploadUrlOf(origin, linkId, secret) }, 201);
		},
	)
	.get(
		"/",
		doc({
			summary: "List your links",
			tags: TAGS,
			ok: { 200: LinkList },
			problems: [...LIST_PROBLEMS],
		}),
		valid("query", ListQuery),
		async (c) => {
			const caller = c.var.caller;
			const filter = caller.kind === "owner" ? { ownerId: caller.ownerId } : {};
			return c.json(await linkPage(c.env.DB, filter, c.req.valid("query")));
		},
	)
	.get(
		"/:linkId",
		doc({
			summary: "Read a link (authoritative state, epoch, counters, pending commands)",
			tags: TAGS,
			ok: { 200: LinkResponse },
			problems: ["unauthorized", "link-not-found", "link-deleted"],
		}),
		valid("param", LinkIdParam),
		async (c) => {
			const link = unwrap(await (await stubFor(c, c.req.valid("param").linkId)).get(c.var.caller));
			withEtag(c, link);
			return c.json({ link });
		},
	)
	.get(
		"/:linkId/upload-url",
		doc({
			summary: "The link's upload URL again (its secret is kept sealed for the owner)",
			tags: TAGS,
			ok: { 200: UploadUrlResponse },
			problems: [
				"unauthorized",
				"link-not-found",
				"link-deleted",
				"upload-url-unavailable",
				"public-origin-unset",
			],
		}),
		valid("param", LinkIdParam),
		async (c) => {
			const { linkId } = c.req.valid("param");
			const { secretBox } = unwrap(await (await stubFor(c, linkId)).secretBox(c.var.caller));
			const secret = secretBox && (await openLinkSecret(c.env.LINK_ID_SECRET, linkId, secretBox));
			if (!secret) throw new ProblemError(problem("upload-url-unavailable"));
			c.header("Cache-Control", "no-store");
			return c.json({ uploadUrl: uploadUrlOf(publicOrigin(c), linkId, secret) });
		},
	)
	.patch(
		"/:linkId",
		doc({
			summary:
				"Update a link's settings (synchronous; If-Match with the ETag guards concurrent edits)",
			tags: TAGS,
			ok: { 200: LinkResponse },
			problems: [...LIFECYCLE_PROBLEMS, "settings-mismatch", ...BODY_PROBLEMS],
		}),
		valid("param", LinkIdParam),
		jsonBody,
		valid("json", PatchLinkBody),
		async (c) => {
			const stub = await stubFor(c, c.req.valid("param").linkId);
			const ifMatch = ifMatchOf(c.req.header("if-match"));
			const update = await toUpdate(c.req.valid("json"));
			const link = unwrap(await stub.updateSettings(c.var.caller, update, ifMatch));
			withEtag(c, link);
			return c.json({ link });
		},
	)
	.post(
		"/:linkId/pause",
		doc({
			summary: "Pause a link (synchronous, +1 epoch; idempotent)",
			tags: TAGS,
			ok: { 200: LinkResponse },
			problems: [...LIFECYCLE_PROBLEMS],
		}),
		valid("param", LinkIdParam),
		(c) => transition(c, c.req.valid("param").linkId, "pause"),
	)
	.post(
		"/:linkId/resume",
		doc({
			summary: "Resume a paused link (synchronous, +1 epoch; idempotent)",
			tags: TAGS,
			ok: { 200: LinkResponse },
			problems: [...LIFECYCLE_PROBLEMS],
		}),
		valid("param", LinkIdParam),
		(c) => transition(c, c.req.valid("param").linkId, "resume"),
	)
	.post(
		"/:linkId/revoke",
		doc({
			summary: "Revoke a link (a queued command: 202, poll the status URL)",
			tags: TAGS,
			ok: { 202: CommandAccepted },
			problems: [...COMMAND_PROBLEMS],
		}),
		valid("param", LinkIdParam),
		(c) => issueCommand(c, c.req.valid("param").linkId, "revoke"),
	)
	.delete(
		"/:linkId",
		doc({
			summary: "Delete a link and purge its files (a queued command: 202, poll the status URL)",
			tags: TAGS,
			ok: { 202: CommandAccepted },
			problems: [...COMMAND_PROBLEMS],
		}),
		valid("param", LinkIdParam),
		(c) => issueCommand(c, c.req.valid("param").linkId, "delete"),
	)
	.get(
		"/:linkId/commands",
		doc({
			summary: "Command history of a link, newest first",
			tags: TAGS,
			ok: { 200: CommandList },
			problems: [...LINK_LIST_PROBLEMS],
		}),
		valid("param", LinkIdParam),
		valid("query", CommandListQuery),
		async (c) => {
			const { limit, cursor } = c.req.valid("query");
			const stub = await stubFor(c, c.req.valid("param").linkId);
			const list = unwrap(
				await stub.listCommands(
					c.var.caller,
					limit ?? DEFAULT_PAGE,
					cursor ? Number(cursor) : null,
				),
			);
			return c.json(list);
		},
	)
	.get(
		"/:linkId/uploads",
		doc({
			summary: "Upload sessions of a link with their states, newest first",
			tags: TAGS,
			ok: { 200: UploadList },
			problems: [...LINK_LIST_PROBLEMS],
		}),
		valid("param", LinkIdParam),
		valid("query", ListQuery),
		async (c) => {
			const stub = await stubFor(c, c.req.valid("param").linkId);
			// After the link is found: an unknown link is 404 even with a malformed cursor.
			const { after, limit } = pageOf(c.req.valid("query"));
			const page = unwrap(await stub.listUploads(c.var.caller, limit, after));
			return c.json({
				items: page.items,
				nextCursor: page.nextCursor && encodeCursor(page.nextCursor),
			});
		},
	)
	.delete(
		"/:linkId/uploads/:uploadId",
		doc({
			summary: "Abort an upload session of your link (quota released, bytes removed; idempotent)",
			tags: TAGS,
			ok: { 204: null },
			problems: [
				"unauthorized",
				"link-not-found",
				"upload-not-found",
				"upload-state-conflict",
				"link-revoked",
				"link-expired",
				"link-deleted",
				"validation-failed",
			],
		}),
		valid("param", OwnerUploadParams),
		async (c) => {
			const { linkId, uploadId } = c.req.valid("param");
			const stub = await stubFor(c, linkId);
			unwrap(await stub.ownerAbortUpload(c.var.caller, uploadId));
			return c.body(null, 204);
		},
	)
	.get(
		"/:linkId/files",
		doc({
			summary: "Finalized files of a link, newest first",
			tags: TAGS,
			ok: { 200: FileList },
			problems: [
				"unauthorized",
				"link-not-found",
				"link-deleted",
				"invalid-cursor",
				"validation-failed",
			],
		}),
		valid("param", LinkIdParam),
		valid("query", ListQuery),
		async (c) => {
			const { limit, cursor } = c.req.valid("query");
			return c.json(
				await filesOfLink(c, c.req.valid("param").linkId, limit ?? DEFAULT_PAGE, cursor),
			);
		},
	);
