/**
 * Uploader routes under /r/:linkId/uploads. Every R2 write is bracketed by
 * exactly two DO calls: admit before, record after. The link id routes to
 * the link's DO, the Link-Secret header proves the link, the Upload-Token the
 * session. Nothing here touches D1.
 */
import { type Context, Hono } from "hono";
import {
	CommandAccepted,
	CreatedUpload,
	InitUploadBody,
	LinkIdParam,
	PartParams,
	PartResponse,
	UploadParams,
	UploadResponse,
} from "../contract/schemas";
import type { UploadAuth, WriteOp, WriteOutcome } from "../do/rpc";
import { unwrap } from "../do/stub";
import { ProblemError, problem } from "../domain/problems";
import { sanitizeFileName } from "../domain/uploads";
import { sha256Hex } from "../lib/crypto";
import { hashOfSecret, newSecret, newUploadId } from "../lib/ids";
import { filesStore } from "../storage/r2";
import { failedWriteReason, lengthChecked } from "./body";
import { accepted } from "./commands";
import type { AppEnv } from "./context";
import { doc } from "./docs";
import { createSession } from "./init";
import { linkOf } from "./link-secret";
import { idempotencyKeyOf } from "./links";
import { jsonBody, valid } from "./validation";

const TAGS = ["uploads"];
const TERMINAL = [
	"link-not-found",
	"link-paused",
	"link-closing",
	"link-revoked",
	"link-expired",
	"link-deleted",
] as const;
const SESSION = [
	"unauthorized",
	"upload-not-found",
	"upload-aborted",
	"upload-state-conflict",
] as const;

/** The link secret and upload token of a request; a missing Upload-Token is 401, a malformed one 404. */
async function authOf(c: Context<AppEnv>, linkId: string, uploadId: string) {
	const { stub, secretHash } = await linkOf(c, linkId);
	const header = c.req.header("upload-token");
	if (header === undefined)
		throw new ProblemError(problem("unauthorized", "Send Upload-Token: <uploadToken>."));
	const tokenHash = await hashOfSecret(header);
	if (!tokenHash) throw new ProblemError(problem("upload-not-found"));
	const auth: UploadAuth = { linkSecretHash: secretHash, uploadId, tokenHash };
	return { stub, auth };
}

/**
 * The Upload-Token of a new session: the client's own when it sent one (it
 * must look like ours: 43 base64url characters), else a fresh random one. A
 * client that sends an Idempotency-Key sends its token too, so a retry after
 * a lost answer can present it: an init replay is only answered to a caller
 * holding the session's token (docs/uploads.md, "Idempotency-Key on init").
 */
async function initToken(header: string | undefined): Promise<{ secret: string; hash: string }> {
	if (header === undefined) return newSecret();
	const hash = await hashOfSecret(header);
	if (!hash) throw new ProblemError(problem("invalid-upload-token"));
	return { secret: header, hash };
}

/**
 * Admit, write, record: the one shape of every R2 write. The record call is
 * made whatever happened to the write, so its answer reflects the DO's state
 * at record time (a terminal transition in between wins).
 */
async function guardedWrite(
	c: Context<AppEnv>,
	linkId: string,
	uploadId: string,
	op: Exclude<WriteOp, "complete">,
	partNumber?: number,
) {
	const { stub, auth } = await authOf(c, linkId, uploadId);
	const grant = unwrap(
		await stub.admitWrite({ ...auth, op, ...(partNumber ? { partNumber } : {}) }),
	);
	const declared = c.req.header("content-length");
	let outcome: WriteOutcome;
	if (declared !== undefined && Number(declared) !== grant.expectedLength) {
		outcome = { ok: false, reason: "length" };
	} else {
		const body = lengthChecked(c.req.raw.body, declared, grant.expectedLength);
		if (op === "single-put") {
			const put = await filesStore(c.env).put(grant.key, body.stream, grant.sha256);
			outcome = put.ok
				? { ok: true, ...put.value }
				: { ok: false, reason: failedWriteReason(put.failure, body) };
		} else {
			const part = await filesStore(c.env).uploadPart(
				grant.key,
				grant.multipartId ?? "",
				partNumber ?? 0,
				body.stream,
			);
			outcome = part.ok
				? { ok: true, etag: part.value, size: grant.expectedLength }
				: { ok: false, reason: failedWriteReason(part.failure, body) };
		}
	}
	const upload = unwrap(
		await stub.recordWrite({ uploadId, op, outcome, ...(partNumber ? { partNumber } : {}) }),
	);
	return { upload, outcome };
}

export const uploads = new Hono<AppEnv>()
	.post(
		"/:linkId/uploads",
		doc({
			summary: "Start an upload; the server picks single or multipart and the part size",
			description:
				"Optional headers: `Idempotency-Key` makes the init safe to retry, and `Upload-Token` (43 base64url characters) chooses the session's token. A replay of a key is answered only to a request presenting the token the first init chose (else 409 `idempotency-token-mismatch`): send both on the first init and again on a retry.",
			tags: TAGS,
			security: "link",
			ok: { 201: CreatedUpload },
			problems: [
				...TERMINAL,
				"validation-failed",
				"password-required",
				"password-incorrect",
				"too-many-attempts",
				"uploader-details-required",
				"file-too-large",
				"file-type-not-allowed",
				"quota-exceeded",
				"invalid-idempotency-key",
				"invalid-upload-token",
				"idempotency-key-reused",
				"idempotency-token-mismatch",
				"storage-unavailable",
			],
		}),
		valid("param", LinkIdParam),
		jsonBody,
		valid("json", InitUploadBody),
		async (c) => {
			const { linkId, secretHash, stub } = await linkOf(c, c.req.valid("param").linkId);
			const body = c.req.valid("json");
			const key = idempotencyKeyOf(c.req.header("idempotency-key"));
			const uploadId = newUploadId();
			const { secret: token, hash } = await initToken(c.req.header("upload-token"));
			const name = sanitizeFileName(body.name);
			const upload = await createSession(
				c,
				stub,
				{
					linkSecretHash: secretHash,
					uploadId,
					tokenHash: hash,
					name,
					size: body.size,
					type: body.type,
					uploaderName: body.uploaderName ?? null,
					uploaderEmail: body.uploaderEmail ?? null,
					sha256: body.sha256 ?? null,
					passwordGiven: Boolean(body.password),
					...(key
						? {
								idempotency: {
									key,
									requestHash: await sha256Hex(JSON.stringify({ ...body, password: undefined })),
								},
							}
						: {}),
				},
				body.password,
			);
			c.header("Location", `/r/${linkId}/uploads/${upload.id}`);
			return c.json({ upload, uploadToken: token }, 201);
		},
	)
	.put(
		"/:linkId/uploads/:uploadId",
		doc({
			summary: "Single mode: send the whole file as the body (exactly `size` bytes)",
			tags: TAGS,
			security: "link",
			ok: { 200: UploadResponse },
			problems: [
				...TERMINAL,
				...SESSION,
				"length-mismatch",
				"checksum-mismatch",
				"storage-unavailable",
			],
		}),
		valid("param", UploadParams),
		async (c) => {
			const { linkId, uploadId } = c.req.valid("param");
			const { upload } = await guardedWrite(c, linkId, uploadId, "single-put");
			return c.json({ upload });
		},
	)
	.put(
		"/:linkId/uploads/:uploadId/parts/:n",
		doc({
			summary: "Multipart: send part n (every part but the last is exactly partSize bytes)",
			tags: TAGS,
			security: "link",
			ok: { 200: PartResponse },
			problems: [
				...TERMINAL,
				...SESSION,
				"invalid-part-number",
				"length-mismatch",
				"storage-unavailable",
			],
		}),
		valid("param", PartParams),
		async (c) => {
			const { linkId, uploadId, n } = c.req.valid("param");
			if (n < 1)
				throw new ProblemError(problem("invalid-part-number", "Parts are numbered from 1."));
			const { outcome } = await guardedWrite(c, linkId, uploadId, "part-put", n);
			if (!outcome.ok) throw new ProblemError(problem("internal-error"));
			return c.json({ partNumber: n, etag: outcome.etag, size: outcome.size });
		},
	)
	.post(
		"/:linkId/uploads/:uploadId/complete",
		doc({
			summary: "Multipart: commit the parts (every part must be present); idempotent",
			tags: TAGS,
			security: "link",
			ok: { 200: UploadResponse },
			problems: [...TERMINAL, ...SESSION, "upload-incomplete", "storage-unavailable"],
		}),
		valid("param", UploadParams),
		async (c) => {
			const { linkId, uploadId } = c.req.valid("param");
			const { stub, auth } = await authOf(c, linkId, uploadId);
			const grant = unwrap(await stub.admitWrite({ ...auth, op: "complete" }));
			if (grant.alreadyCompleted) return c.json({ upload: unwrap(await stub.uploadStatus(auth)) });
			const done = await filesStore(c.env).completeMultipart(
				grant.key,
				grant.multipartId ?? "",
				grant.parts,
			);
			const outcome: WriteOutcome = done.ok
				? { ok: true, ...done.value }
				: { ok: false, reason: done.failure === "aborted" ? "gone" : "storage" };
			const upload = unwrap(await stub.recordWrite({ uploadId, op: "complete", outcome }));
			return c.json({ upload });
		},
	)
	.delete(
		"/:linkId/uploads/:uploadId",
		doc({
			summary: "Abort the upload (releases its quota, removes its bytes); idempotent",
			tags: TAGS,
			security: "link",
			ok: { 204: null },
			problems: [...TERMINAL, ...SESSION],
		}),
		valid("param", UploadParams),
		async (c) => {
			const { linkId, uploadId } = c.req.valid("param");
			const { stub, auth } = await authOf(c, linkId, uploadId);
			unwrap(await stub.abortUpload(auth));
			return c.body(null, 204);
		},
	)
	.post(
		"/:linkId/uploads/:uploadId/finalize",
		doc({
			summary: "Hand the file over to the owner (a queued command: 202, poll the status URL)",
			tags: TAGS,
			security: "link",
			ok: { 202: CommandAccepted },
			problems: [...TERMINAL, ...SESSION, "upload-incomplete", "invalid-idempotency-key"],
		}),
		valid("param", UploadParams),
		async (c) => {
			const { linkId, uploadId } = c.req.valid("param");
			const { stub, auth } = await authOf(c, linkId, uploadId);
			// One finalize command per upload: a repeated request returns it, with or without a key.
			idempotencyKeyOf(c.req.header("idempotency-key"));
			const { command } = unwrap(await stub.requestFinalize(auth));
			return accepted(c, command);
		},
	)
	.get(
		"/:linkId/uploads/:uploadId",
		doc({
			summary: "Upload status: state, parts held, finalize status",
			tags: TAGS,
			security: "link",
			ok: { 200: UploadResponse },
			problems: ["link-not-found", "link-deleted", ...SESSION],
		}),
		valid("param", UploadParams),
		async (c) => {
			const { linkId, uploadId } = c.req.valid("param");
			const { stub, auth } = await authOf(c, linkId, uploadId);
			return c.json({ upload: unwrap(await stub.uploadStatus(auth)) });
		},
	);
