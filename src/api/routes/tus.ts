/**
 * tus 1.0 at /r/:linkId/tus/ (core, creation, creation-with-upload,
 * termination, expiration, checksum), authorized like the native uploader
 * API: the `Link-Secret` header. A tus upload is a session of the same
 * ledger. A PATCH is admitted as a whole (`tusBegin`: one PATCH at a time,
 * the offset), its body is cut into the upload's fixed part size and every
 * full part is written under the native admit and record; what is left below
 * a part boundary becomes the remainder object, recorded with the offset by
 * `tusEnd`. The answered offset only ever counts durable bytes.
 */
import { type Context, Hono } from "hono";
import { cors } from "hono/cors";
import * as v from "valibot";
import type { AppEnv } from "../../app-env";
import { InitUploadBody } from "../../contract/schemas";
import type { LinkDO } from "../../do/link-do";
import type { UploadAuth, UploadView } from "../../do/rpc";
import { unwrap } from "../../do/stub";
import { ProblemError, problem } from "../../domain/problems";
import { TUS_MAX_BYTES } from "../../domain/tus";
import { sanitizeFileName } from "../../domain/uploads";
import { sha256Hex } from "../../lib/crypto";
import { newUploadId, tusUploadToken } from "../../lib/ids";
import { pollOf } from "../http/accepted";
import { LINK_SECRET_HEADER, linkOf } from "../http/link-secret";
import { publicOrigin } from "../http/origin";
import { problemResponse } from "../http/problem";
import { createSession } from "../uploads/init";
import { PAUSED_RETRY_AFTER_SECONDS, parseMetadata } from "../uploads/tus-metadata";
import { writeEmpty, writePatch } from "../uploads/tus-writes";

export const TUS_VERSION = "1.0.0";
const EXTENSIONS = "creation,creation-with-upload,termination,expiration,checksum";
const CHECKSUMS = { sha1: "SHA-1", sha256: "SHA-256" } as const;
/** A PATCH with Upload-Checksum is verified before any of it is kept: at most this much. */
const MAX_CHECKSUM_BODY = 16 * 1024 * 1024;
const OCTETS = "application/offset+octet-stream";

/** Answer headers a browser tus client must be able to read. */
const EXPOSED = [
	"Location",
	"Upload-Offset",
	"Upload-Length",
	"Upload-Expires",
	"Upload-Metadata",
	"Tus-Resumable",
	"Tus-Version",
	"Tus-Extension",
	"Tus-Max-Size",
	"Tus-Checksum-Algorithm",
	"Receive-Link-Command",
	"Receive-Link-Command-Status",
	"Receive-Link-Retry-Token",
	"Retry-After",
];

/** Headers a browser tus client sends, and those it must be able to read. */
const CORS = cors({
	origin: "*",
	allowMethods: ["POST", "GET", "HEAD", "PATCH", "DELETE", "OPTIONS"],
	allowHeaders: [
		LINK_SECRET_HEADER,
		"Tus-Resumable",
		"Upload-Length",
		"Upload-Metadata",
		"Upload-Offset",
		"Upload-Checksum",
		"Upload-Defer-Length",
		"Upload-Concat",
		"Content-Type",
		"X-HTTP-Method-Override",
		"X-Requested-With",
	],
	exposeHeaders: EXPOSED,
	maxAge: 86_400,
});

const bad = (detail: string) => new ProblemError(problem("validation-failed", detail));

/** A non-negative integer header, or a 400. */
function intHeader(c: Context<AppEnv>, name: string): number {
	const value = c.req.header(name);
	if (value === undefined || !/^[0-9]{1,16}$/.test(value)) throw bad(`Send ${name}: <bytes>.`);
	return Number(value);
}

/** The uploader's proof for one tus upload: the link secret, and the token derived for it. */
async function tusAuth(c: Context<AppEnv>, linkId: string, uploadId: string) {
	const { stub, secretHash } = await linkOf(c, linkId);
	const token = await tusUploadToken(c.env.LINK_ID_SECRET, uploadId);
	const auth: UploadAuth = {
		linkSecretHash: secretHash,
		uploadId,
		tokenHash: await sha256Hex(token),
	};
	return { stub, auth };
}

/** The bytes a PATCH body carries, verified against Upload-Checksum when one is sent. */
async function checkedBody(c: Context<AppEnv>): Promise<ReadableStream<Uint8Array> | Uint8Array> {
	const header = c.req.header("upload-checksum");
	if (header === undefined) return c.req.raw.body ?? new Uint8Array(0);
	const [algorithm, expected] = header.trim().split(" ");
	const name = CHECKSUMS[algorithm as keyof typeof CHECKSUMS];
	if (!name || !expected) throw bad("Upload-Checksum is `sha1 <base64>` or `sha256 <base64>`.");
	const length = Number(c.req.header("content-length") ?? Number.NaN);
	if (!(length <= MAX_CHECKSUM_BODY))
		throw new ProblemError(
			problem(
				"payload-too-large",
				`A checksummed PATCH carries at most ${MAX_CHECKSUM_BODY} bytes.`,
			),
		);
	const bytes = new Uint8Array(await c.req.arrayBuffer());
	const digest = new Uint8Array(await crypto.subtle.digest(name, bytes));
	const actual = btoa(String.fromCharCode(...digest));
	if (actual !== expected) throw new ProblemError(problem("tus-checksum-mismatch"));
	return bytes;
}

/** The answer headers naming the finalize command of a completed upload. */
async function finalizeHeaders(c: Context<AppEnv>, commandId: string): Promise<void> {
	const { statusUrl, retryToken } = await pollOf(c.env, commandId);
	c.header("Receive-Link-Command", commandId);
	c.header("Receive-Link-Command-Status", statusUrl);
	if (retryToken) c.header("Receive-Link-Retry-Token", retryToken);
}

/** Runs a PATCH (or the body of a creation-with-upload) and sets Upload-Offset and the command headers. */
async function patchUpload(
	c: Context<AppEnv>,
	stub: DurableObjectStub<LinkDO>,
	auth: UploadAuth,
	offset: number,
	body: ReadableStream<Uint8Array> | Uint8Array,
): Promise<void> {
	const grant = unwrap(await stub.tusBegin({ ...auth, offset }));
	if (grant.completed) {
		c.header("Upload-Offset", String(grant.size));
		await finalizeHeaders(c, unwrap(await stub.requestFinalize(auth)).command.id);
		return;
	}
	// A client that goes away mid-body cancels this request; the PATCH's end (the remainder
	// made durable, the offset recorded, the hold released) must still run.
	const work = writePatch(c, stub, auth, grant, body, c.req.header("content-length"));
	c.executionCtx.waitUntil(work.catch(() => undefined));
	const result = await work;
	c.header("Upload-Offset", String(result.offset));
	if (result.finalize) await finalizeHeaders(c, result.finalize);
}

/** `Upload-Expires` of a session (RFC 9110 date). */
const expiresOf = (upload: UploadView) => new Date(upload.expiresAt).toUTCString();

/** Paths of the tus endpoint (the creation URL with and without its trailing slash). */
const TUS_PATHS = ["/:linkId/tus", "/:linkId/tus/*"] as const;

/**
 * Every tus answer carries Tus-Resumable and what a browser client needs to
 * read it (errors included: they are rendered after this runs). OPTIONS is
 * discovery (and a CORS preflight, answered by the CORS middleware after it);
 * every other request must speak tus 1.0.0.
 */
async function tusHeaders(c: Context<AppEnv>, next: () => Promise<void>) {
	if (c.req.method === "OPTIONS") await discovery(c);
	else if (c.req.header("tus-resumable") !== TUS_VERSION) {
		const res = problemResponse(problem("tus-version-unsupported"));
		res.headers.set("Tus-Version", TUS_VERSION);
		res.headers.set("Tus-Resumable", TUS_VERSION);
		res.headers.set("Access-Control-Allow-Origin", "*");
		return res;
	}
	await next();
	c.res.headers.set("Tus-Resumable", TUS_VERSION);
	c.res.headers.set("Cache-Control", "no-store");
	c.res.headers.set("Access-Control-Allow-Origin", "*");
	c.res.headers.set("Access-Control-Expose-Headers", EXPOSED.join(", "));
	// Paused or closing: tus clients wait and retry; tell them when.
	if (c.res.status === 423 && !c.res.headers.has("Retry-After"))
		c.res.headers.set("Retry-After", String(PAUSED_RETRY_AFTER_SECONDS));
	return undefined;
}

/** Creation (and creation-with-upload). */
async function create(c: Context<AppEnv>) {
	const linkId = c.req.param("linkId") ?? "";
	const { stub, secretHash } = await linkOf(c, linkId);
	if (c.req.header("upload-defer-length") !== undefined)
		throw bad("Upload-Defer-Length is not supported: send Upload-Length.");
	const size = intHeader(c, "upload-length");
	const meta = parseMetadata(c.req.header("upload-metadata"));
	if (!meta) throw bad("Upload-Metadata is `key base64value` pairs, comma-separated.");
	if (size > TUS_MAX_BYTES)
		throw new ProblemError(
			problem(
				"file-too-large",
				`tus uploads are limited to ${TUS_MAX_BYTES} bytes; send larger files with the native API.`,
			),
		);
	const fields = validInit(meta, size);
	const carried = Number(c.req.header("content-length") ?? 0);
	if (carried > size)
		throw new ProblemError(
			problem("length-mismatch", "The creation carries more bytes than Upload-Length allows."),
		);
	const origin = publicOrigin(c);
	const uploadId = newUploadId();
	const token = await tusUploadToken(c.env.LINK_ID_SECRET, uploadId);
	const auth: UploadAuth = {
		linkSecretHash: secretHash,
		uploadId,
		tokenHash: await sha256Hex(token),
	};
	const upload = await createSession(
		c,
		stub,
		{
			...auth,
			name: sanitizeFileName(fields.name),
			size: fields.size,
			type: fields.type,
			uploaderName: fields.uploaderName ?? null,
			uploaderEmail: fields.uploaderEmail ?? null,
			sha256: null,
			passwordGiven: Boolean(fields.password),
			protocol: "tus",
		},
		fields.password,
	);
	c.header("Location", `${origin}/r/${linkId}/tus/${uploadId}`);
	c.header("Upload-Expires", expiresOf(upload));
	if (upload.mode === "single") {
		await writeEmpty(c, stub, auth);
		await patchUpload(c, stub, auth, 0, new Uint8Array(0));
	} else if (c.req.header("content-type")?.startsWith(OCTETS)) {
		await patchUpload(c, stub, auth, 0, await checkedBody(c));
	} else {
		c.header("Upload-Offset", "0");
	}
	return c.body(null, 201);
}

/**
 * The init fields a creation carries in Upload-Metadata (`filename`,
 * `filetype`, and `name`, `email`, `password` where the link asks for them),
 * validated by the native init's schema: the same rules, the same cleaning.
 */
function validInit(meta: Record<string, string>, size: number) {
	const parsed = v.safeParse(InitUploadBody, {
		name: meta.filename ?? "file",
		size,
		...(meta.filetype ? { type: meta.filetype } : {}),
		...(meta.name !== undefined ? { uploaderName: meta.name } : {}),
		...(meta.email !== undefined ? { uploaderEmail: meta.email } : {}),
		...(meta.password !== undefined ? { password: meta.password } : {}),
	});
	if (!parsed.success) {
		const issue = parsed.issues[0];
		throw bad(`Invalid Upload-Metadata or Upload-Length: ${issue?.message ?? "not valid"}`);
	}
	return parsed.output;
}

export const tus = new Hono<AppEnv>()
	.use(TUS_PATHS[0], tusHeaders, CORS)
	.use(TUS_PATHS[1], tusHeaders, CORS)
	.post("/:linkId/tus", create)
	.post("/:linkId/tus/", create)
	// HEAD: Hono answers HEAD with the GET route, body removed.
	.get("/:linkId/tus/:uploadId", async (c) => {
		const { linkId, uploadId } = c.req.param();
		const { stub, auth } = await tusAuth(c, linkId, uploadId);
		const upload = unwrap(await stub.uploadStatus(auth));
		// A terminated (or rejected) upload is gone for a tus client.
		if (upload.state === "aborted" || upload.state === "rejected")
			throw new ProblemError(problem("upload-aborted"));
		c.header("Upload-Offset", String(upload.offset));
		c.header("Upload-Length", String(upload.size));
		c.header("Upload-Expires", expiresOf(upload));
		// Every byte is held but the completion was refused (the link was paused as the last
		// part landed): a tus client takes offset = length for done, so complete it now, or
		// answer the refusal (423 while paused: the client asks again).
		if (upload.state === "open" && upload.offset === upload.size) {
			await patchUpload(c, stub, auth, upload.size, new Uint8Array(0));
			c.header("Upload-Length", String(upload.size));
			c.header("Upload-Expires", expiresOf(upload));
			return c.body(null, 200);
		}
		// A client that learns from HEAD that the file is complete can still poll its finalize.
		if (upload.finalize) await finalizeHeaders(c, upload.finalize.commandId);
		return c.body(null, 200);
	})
	.patch("/:linkId/tus/:uploadId", async (c) => {
		const { linkId, uploadId } = c.req.param();
		if (!c.req.header("content-type")?.startsWith(OCTETS))
			throw new ProblemError(problem("unsupported-media-type", `PATCH bodies are ${OCTETS}.`));
		const offset = intHeader(c, "upload-offset");
		const { stub, auth } = await tusAuth(c, linkId, uploadId);
		await patchUpload(c, stub, auth, offset, await checkedBody(c));
		return c.body(null, 204);
	})
	.delete("/:linkId/tus/:uploadId", async (c) => {
		const { linkId, uploadId } = c.req.param();
		const { stub, auth } = await tusAuth(c, linkId, uploadId);
		unwrap(await stub.abortUpload(auth));
		return c.body(null, 204);
	});

/** `OPTIONS`: what this tus server speaks; with a valid Link-Secret, also the link's per-file limit. */
async function discovery(c: Context<AppEnv>) {
	c.header("Tus-Version", TUS_VERSION);
	c.header("Tus-Extension", EXTENSIONS);
	c.header("Tus-Checksum-Algorithm", Object.keys(CHECKSUMS).join(","));
	if (c.req.header(LINK_SECRET_HEADER) === undefined) return;
	try {
		const { stub, secretHash } = await linkOf(c, c.req.param("linkId") ?? "");
		const info = await stub.publicInfo(secretHash);
		if (info.ok)
			c.header("Tus-Max-Size", String(Math.min(info.value.limits.maxFileBytes, TUS_MAX_BYTES)));
	} catch {
		// A wrong secret gets the discovery answer without the link's limit.
	}
}
