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
import { InitUploadBody } from "../contract/schemas";
import type { LinkDO } from "../do/link-do";
import type { TusGrant, UploadAuth, UploadView } from "../do/rpc";
import { unwrap } from "../do/stub";
import { type Problem, ProblemError, problem } from "../domain/problems";
import { TUS_MAX_BYTES } from "../domain/tus";
import { sanitizeFileName } from "../domain/uploads";
import { sha256Hex } from "../lib/crypto";
import { newUploadId, tusUploadToken } from "../lib/ids";
import * as r2 from "../storage/r2";
import { failedWriteReason, type GuardedBody, lengthChecked } from "./body";
import { pollOf } from "./commands";
import type { AppEnv } from "./context";
import { createSession } from "./init";
import { LINK_SECRET_HEADER, linkOf } from "./link-secret";
import { problemResponse } from "./problem";

export const TUS_VERSION = "1.0.0";
const EXTENSIONS = "creation,creation-with-upload,termination,expiration,checksum";
const CHECKSUMS = { sha1: "SHA-1", sha256: "SHA-256" } as const;
/** A PATCH with Upload-Checksum is verified before any of it is kept: at most this much. */
const MAX_CHECKSUM_BODY = 16 * 1024 * 1024;
const OCTETS = "application/offset+octet-stream";
/** Retry-After of a 423 that names none (a paused link has no known end). */
const PAUSED_RETRY_AFTER_SECONDS = 5;

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

/** `Upload-Metadata`: comma-separated `key base64value` pairs (value optional). */
export function parseMetadata(header: string | undefined): Record<string, string> | null {
	const out: Record<string, string> = {};
	if (!header?.trim()) return out;
	for (const pair of header.split(",")) {
		const [key, value = "", extra] = pair.trim().split(" ");
		if (!key || extra !== undefined || !/^[\x21-\x7e]+$/.test(key)) return null;
		try {
			const bytes = Uint8Array.from(atob(value), (ch) => ch.charCodeAt(0));
			out[key] = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
		} catch {
			return null;
		}
	}
	return out;
}

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

/** What a PATCH did: the durable offset it left, and the finalize command when it completed the upload. */
interface PatchResult {
	offset: number;
	finalize: string | null;
}

const storageProblem = (): Problem =>
	problem("storage-unavailable", undefined, { retryable: true, retryAfter: 1 });

/** Bytes waiting to be cut into parts, in arrival order. */
class PartBuffer {
	private readonly chunks: Uint8Array[] = [];
	size = 0;

	push(chunk: Uint8Array): void {
		if (chunk.byteLength === 0) return;
		this.chunks.push(chunk);
		this.size += chunk.byteLength;
	}

	/** The first `n` bytes, removed from the buffer (n <= size). */
	take(n: number): Uint8Array {
		const out = new Uint8Array(n);
		let filled = 0;
		while (filled < n) {
			const head = this.chunks[0] as Uint8Array;
			const used = Math.min(head.byteLength, n - filled);
			out.set(head.subarray(0, used), filled);
			filled += used;
			if (used === head.byteLength) this.chunks.shift();
			else this.chunks[0] = head.subarray(used);
		}
		this.size -= n;
		return out;
	}
}

/** One full (or the last) part: admitted, written to the multipart upload, recorded. */
async function writePart(
	c: Context<AppEnv>,
	stub: DurableObjectStub<LinkDO>,
	auth: UploadAuth,
	n: number,
	bytes: Uint8Array,
): Promise<void> {
	const grant = unwrap(await stub.admitWrite({ ...auth, op: "part-put", partNumber: n }));
	const written = await r2.uploadPart(c.env.FILES, grant.key, grant.r2UploadId ?? "", n, bytes);
	const outcome = written.ok
		? { ok: true as const, etag: written.value, size: bytes.byteLength }
		: { ok: false as const, reason: failedWriteReason(written.failure, NO_BODY_FAULT) };
	unwrap(
		await stub.recordWrite({ uploadId: auth.uploadId, op: "part-put", partNumber: n, outcome }),
	);
}

/** The whole body was in memory: it has no fault of its own. */
const NO_BODY_FAULT: GuardedBody = { stream: "", fault: () => null, framed: true };

/** Commits the multipart upload (admitted and recorded) and queues its finalize; the command id. */
async function completeUpload(
	c: Context<AppEnv>,
	stub: DurableObjectStub<LinkDO>,
	auth: UploadAuth,
): Promise<string> {
	const grant = unwrap(await stub.admitWrite({ ...auth, op: "complete" }));
	if (!grant.alreadyCompleted) {
		const done = await r2.completeMultipart(
			c.env.FILES,
			grant.key,
			grant.r2UploadId ?? "",
			grant.parts,
		);
		const outcome = done.ok
			? { ok: true as const, ...done.value }
			: { ok: false as const, reason: failedWriteReason(done.failure, NO_BODY_FAULT) };
		unwrap(await stub.recordWrite({ uploadId: auth.uploadId, op: "complete", outcome }));
	}
	return unwrap(await stub.requestFinalize(auth)).command.id;
}

/**
 * Writes a PATCH body from the granted offset: full parts under admit and
 * record, the last part when the upload's size is reached (then complete
 * and finalize), and what is left below a part boundary as the remainder
 * object. A body that breaks off keeps what arrived (made durable as the
 * remainder), so the client resumes from the answered offset.
 */
async function writePatch(
	c: Context<AppEnv>,
	stub: DurableObjectStub<LinkDO>,
	auth: UploadAuth,
	grant: TusGrant,
	body: ReadableStream<Uint8Array> | Uint8Array,
	declaredLength: string | undefined,
): Promise<PatchResult> {
	if (isWholePart(grant, body, declaredLength))
		return writeWholePart(c, stub, auth, grant, body as ReadableStream<Uint8Array>);
	const bucket = c.env.FILES;
	let part = grant.nextPart;
	/** The durable part boundary: the end of the last recorded part. */
	let partStart = Math.min((part - 1) * grant.partSize, grant.size);
	/** The upload offset of the first buffered byte (a part boundary; ahead of `partStart` while a part is written). */
	let next = partStart;
	const buffer = new PartBuffer();
	let restWritten = false;
	let ended = false;
	const end = async (offset: number) => {
		ended = true;
		return unwrap(
			await stub.tusEnd({ uploadId: auth.uploadId, hold: grant.hold, offset, restWritten }),
		);
	};
	const accept = (chunk: Uint8Array) => {
		if (next + buffer.size + chunk.byteLength > grant.size)
			throw new ProblemError(
				problem("length-mismatch", "The PATCH carries more bytes than Upload-Length allows."),
			);
		buffer.push(chunk);
	};
	// One part is written while the next one is read (never more, so parts are recorded in
	// order and the offset never counts a part before the ones below it).
	let inflight: Promise<void> = Promise.resolve();
	const flushReady = async () => {
		for (;;) {
			const need = Math.min(grant.partSize, grant.size - next);
			if (need === 0 || buffer.size < need) return;
			const bytes = buffer.take(need);
			const n = part;
			next += need;
			part++;
			await inflight;
			inflight = writePart(c, stub, auth, n, bytes).then(() => {
				partStart += need;
			});
			// Awaited before the next part and at the end; never left to reject unobserved.
			inflight.catch(() => undefined);
		}
	};
	try {
		if (grant.restSize > 0) {
			// The remainder the offset counts (its first restSize bytes: the offset is what counts).
			const rest = grant.restKey
				? await r2.getObject(bucket, grant.restKey, { offset: 0, length: grant.restSize })
				: null;
			if (!rest || rest.size < grant.restSize) throw new ProblemError(storageProblem());
			buffer.push(new Uint8Array(await rest.arrayBuffer()).subarray(0, grant.restSize));
		}
		if (body instanceof Uint8Array) accept(body);
		else {
			const reader = body.getReader();
			for (;;) {
				let chunk: ReadableStreamReadResult<Uint8Array>;
				try {
					chunk = await reader.read();
				} catch {
					break; // the client went away: keep what arrived
				}
				if (chunk.done) break;
				accept(chunk.value);
				await flushReady();
			}
		}
		await flushReady();
		await inflight;
		if (partStart === grant.size) {
			const finalize = await completeUpload(c, stub, auth);
			await end(grant.size);
			return { offset: grant.size, finalize };
		}
		let durable = partStart;
		if (buffer.size > 0) {
			const rest = buffer.take(buffer.size);
			const put = await r2.putObject(bucket, grant.newRestKey, rest, null);
			if (!put.ok) throw new ProblemError(storageProblem());
			restWritten = true;
			durable += rest.byteLength;
		}
		return { offset: (await end(durable)).offset, finalize: null };
	} finally {
		// Never leave the upload held: what is durable is recorded, the hold released.
		if (!ended) {
			// A part still being written is recorded (or fails) before the hold is let go.
			await inflight.catch(() => undefined);
			await stub.tusEnd({
				uploadId: auth.uploadId,
				hold: grant.hold,
				offset: partStart,
				restWritten,
			});
		}
	}
}

/**
 * Whether a PATCH is exactly the next part, starting on a part boundary with
 * no remainder before it and a Content-Length that fits the part: then its
 * body goes to R2 as is, with no JavaScript on the byte path (as a native
 * part does), instead of being cut in memory.
 */
function isWholePart(
	grant: TusGrant,
	body: ReadableStream<Uint8Array> | Uint8Array,
	declared: string | undefined,
): boolean {
	if (body instanceof Uint8Array || grant.restSize > 0 || declared === undefined) return false;
	const partStart = (grant.nextPart - 1) * grant.partSize;
	return (
		Number(declared) === Math.min(grant.partSize, grant.size - partStart) && Number(declared) > 0
	);
}

/** The fast path of `isWholePart`: one part, admitted, streamed, recorded; completes the upload when it is the last. */
async function writeWholePart(
	c: Context<AppEnv>,
	stub: DurableObjectStub<LinkDO>,
	auth: UploadAuth,
	grant: TusGrant,
	body: ReadableStream<Uint8Array>,
): Promise<PatchResult> {
	const n = grant.nextPart;
	const partStart = (n - 1) * grant.partSize;
	let ended = false;
	try {
		const write = unwrap(await stub.admitWrite({ ...auth, op: "part-put", partNumber: n }));
		const guarded = lengthChecked(body, String(write.expectedLength), write.expectedLength);
		const written = await r2.uploadPart(
			c.env.FILES,
			write.key,
			write.r2UploadId ?? "",
			n,
			guarded.stream,
		);
		const outcome = written.ok
			? { ok: true as const, etag: written.value, size: write.expectedLength }
			: { ok: false as const, reason: failedWriteReason(written.failure, guarded) };
		unwrap(
			await stub.recordWrite({ uploadId: auth.uploadId, op: "part-put", partNumber: n, outcome }),
		);
		const offset = partStart + write.expectedLength;
		if (offset === grant.size) {
			const finalize = await completeUpload(c, stub, auth);
			ended = true;
			unwrap(
				await stub.tusEnd({
					uploadId: auth.uploadId,
					hold: grant.hold,
					offset,
					restWritten: false,
				}),
			);
			return { offset, finalize };
		}
		ended = true;
		return {
			offset: unwrap(
				await stub.tusEnd({
					uploadId: auth.uploadId,
					hold: grant.hold,
					offset,
					restWritten: false,
				}),
			).offset,
			finalize: null,
		};
	} finally {
		if (!ended)
			await stub.tusEnd({
				uploadId: auth.uploadId,
				hold: grant.hold,
				offset: partStart,
				restWritten: false,
			});
	}
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
	c.header("Location", `${new URL(c.req.url).origin}/r/${linkId}/tus/${uploadId}`);
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

/** An empty tus upload (Upload-Length 0) is written at creation: one empty object, admitted and recorded. */
async function writeEmpty(c: Context<AppEnv>, stub: DurableObjectStub<LinkDO>, auth: UploadAuth) {
	const grant = unwrap(await stub.admitWrite({ ...auth, op: "single-put" }));
	const put = await r2.putObject(c.env.FILES, grant.key, new Uint8Array(0), null);
	const outcome = put.ok
		? { ok: true as const, ...put.value }
		: { ok: false as const, reason: failedWriteReason(put.failure, NO_BODY_FAULT) };
	unwrap(await stub.recordWrite({ uploadId: auth.uploadId, op: "single-put", outcome }));
}

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
