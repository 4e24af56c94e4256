/**
 * One-request small uploads: `POST /r/:linkId/files` carries a whole file of
 * at most one part size as its raw body and the init's fields in
 * `Upload-Metadata` (the tus format: `key base64value` pairs). A fenced write
 * (fenced-write.ts) whose admit opens the session too (`admitSmall`) and
 * whose record queues its finalize too (`recordSmall`): the body streams to
 * R2 between them, and the answer is the finalize's `202`. Three requests
 * and four DO calls become one and two (three on a password-protected link:
 * its challenge).
 */
import { type Context, Hono } from "hono";
import * as v from "valibot";
import type { AppEnv } from "../../app-env";
import { InitUploadBody, LinkIdParam, SmallUploadAccepted } from "../../contract/schemas";
import type { LinkDO } from "../../do/link-do";
import type { InitRequest, SmallAdmitOutcome, UploadAuth } from "../../do/rpc";
import { unwrap } from "../../do/stub";
import { ProblemError, problem } from "../../domain/problems";
import { checkSmallSize } from "../../domain/small";
import { sanitizeFileName } from "../../domain/uploads";
import { sha256Hex } from "../../lib/crypto";
import { newSecret, newUploadId } from "../../lib/ids";
import { filesStore } from "../../storage/r2";
import { accepted } from "../http/accepted";
import { idempotencyKeyOf } from "../http/idempotency";
import { linkOf } from "../http/link-secret";
import { ADMISSION_PROBLEMS, doc, LINK_CLOSED_PROBLEMS } from "../http/openapi";
import { mediaTypeOf, valid } from "../http/validation";
import { fencedWrite } from "../uploads/fenced-write";
import { withPasswordProof } from "../uploads/init";
import { PAUSED_RETRY_AFTER_SECONDS, parseMetadata } from "../uploads/tus-metadata";

const bad = (detail: string) => new ProblemError(problem("validation-failed", detail));

/**
 * The file's size: `Upload-Length` when sent (a chunked body must send it),
 * else `Content-Length`; both sent must agree. Neither is 411.
 */
function sizeOf(c: Context<AppEnv>): { size: number; contentLength: string | undefined } {
	const contentLength = c.req.header("content-length");
	const declared = c.req.header("upload-length") ?? contentLength;
	if (declared === undefined) throw new ProblemError(problem("length-required"));
	if (!/^[0-9]{1,16}$/.test(declared)) throw bad("Upload-Length is the file's size in bytes.");
	const size = Number(declared);
	if (contentLength !== undefined && Number(contentLength) !== size)
		throw new ProblemError(
			problem("length-mismatch", "Content-Length differs from Upload-Length; nothing was stored."),
		);
	return { size, contentLength };
}

/**
 * The init's fields from `Upload-Metadata` (`filename`, `filetype`, `name`,
 * `email`, `password`, `sha256`), validated by the native init's schema. The
 * type falls back to the request's Content-Type.
 */
function fieldsOf(c: Context<AppEnv>, size: number) {
	const meta = parseMetadata(c.req.header("upload-metadata"));
	if (!meta) throw bad("Upload-Metadata is `key base64value` pairs, comma-separated.");
	const contentType = mediaTypeOf(c.req.header("content-type") ?? "");
	const type = meta.filetype ?? (contentType || undefined);
	const parsed = v.safeParse(InitUploadBody, {
		name: meta.filename ?? "file",
		size,
		...(type ? { type } : {}),
		...(meta.name !== undefined ? { uploaderName: meta.name } : {}),
		...(meta.email !== undefined ? { uploaderEmail: meta.email } : {}),
		...(meta.password !== undefined ? { password: meta.password } : {}),
		...(meta.sha256 !== undefined ? { sha256: meta.sha256 } : {}),
	});
	if (!parsed.success) {
		const issue = parsed.issues[0];
		throw bad(`Invalid Upload-Metadata: ${issue?.message ?? "not valid"}`);
	}
	return parsed.output;
}

/** Paused or closing: the client waits and sends again; tell it when (a pause names no end). */
async function retryAfterOn423(c: Context<AppEnv>, next: () => Promise<void>) {
	await next();
	if (c.res.status === 423 && !c.res.headers.has("Retry-After"))
		c.res.headers.set("Retry-After", String(PAUSED_RETRY_AFTER_SECONDS));
}

/** The admit through the link's DO, answering its password challenge at the edge. */
function admit(
	stub: DurableObjectStub<LinkDO>,
	req: Omit<InitRequest, "passwordProof">,
	password: string | undefined,
) {
	return withPasswordProof(
		async (passwordProof): Promise<SmallAdmitOutcome> =>
			unwrap(await stub.admitSmall({ ...req, passwordProof })),
		password,
	);
}

export const small = new Hono<AppEnv>().use("/:linkId/files", retryAfterOn423).post(
	"/:linkId/files",
	doc({
		summary:
			"Send a whole small file (at most one part size) in one request; 202 with its finalize",
		description:
			"The raw body is the file. `Content-Length` (or `Upload-Length` with a chunked body) is its size; `Upload-Metadata` carries `filename`, `filetype`, `name`, `email`, `password` and `sha256` as tus does (`key base64value`, comma-separated). Optional `Idempotency-Key`: a repeat with the same metadata answers the first request's command (no `uploadToken`). See docs/uploads.md#one-request-small-files.",
		tags: ["uploads"],
		security: "link",
		ok: { 202: SmallUploadAccepted },
		problems: [
			...LINK_CLOSED_PROBLEMS,
			"validation-failed",
			"length-required",
			"length-mismatch",
			"payload-too-large",
			...ADMISSION_PROBLEMS,
			"checksum-mismatch",
			"invalid-idempotency-key",
			"idempotency-key-reused",
			"upload-state-conflict",
			"storage-unavailable",
		],
	}),
	valid("param", LinkIdParam),
	async (c) => {
		const { size, contentLength } = sizeOf(c);
		const tooLarge = checkSmallSize(size);
		if (tooLarge) throw new ProblemError(tooLarge);
		const fields = fieldsOf(c, size);
		const { secretHash, stub } = await linkOf(c, c.req.valid("param").linkId);
		const key = idempotencyKeyOf(c.req.header("idempotency-key"));
		const uploadId = newUploadId();
		const { secret: token, hash } = await newSecret();
		const auth: UploadAuth = { linkSecretHash: secretHash, uploadId, tokenHash: hash };
		const { password, ...described } = fields;
		const req: Omit<InitRequest, "passwordProof"> = {
			...auth,
			name: sanitizeFileName(fields.name),
			size,
			type: fields.type,
			uploaderName: fields.uploaderName ?? null,
			uploaderEmail: fields.uploaderEmail ?? null,
			sha256: fields.sha256 ?? null,
			passwordGiven: Boolean(password),
			...(key
				? { idempotency: { key, requestHash: await sha256Hex(JSON.stringify(described)) } }
				: {}),
		};
		const { admitted, written } = await fencedWrite(
			filesStore(c.env),
			{ op: "single-put", body: { request: c.req.raw.body, declared: contentLength } },
			{
				admit: () => admit(stub, req, password),
				// A replay writes nothing: the body is not stored again, it is left unread.
				grantOf: (a) => (a.kind === "write" ? a.grant : null),
				record: async (outcome) => unwrap(await stub.recordSmall({ auth, outcome })),
				// A client that goes away mid-body cancels this request; the record must still run
				// (it ends the session and releases its quota when the write did not land).
				keepAlive: (work) => c.executionCtx.waitUntil(work),
			},
		);
		if (admitted.kind === "replayed")
			return accepted(c, admitted.command, { upload: admitted.upload, uploadToken: null });
		if (!written) throw new ProblemError(problem("internal-error"));
		const { command, upload } = written.recorded;
		return accepted(c, command, { upload, uploadToken: token });
	},
);
