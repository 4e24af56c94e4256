/**
 * Uploader routes under /r/:linkId/uploads. Every R2 write is bracketed by
 * exactly two DO calls, admit before and record after (`fencedWrite`,
 * fenced-write.ts). The link id routes to the link's DO, the Link-Secret
 * header proves the link, the Upload-Token the session. Nothing here touches
 * D1.
 */
import { type Context, Hono } from "hono";
import type { AppEnv } from "../../app-env";
import {
	CommandAccepted,
	CreatedUpload,
	InitUploadBody,
	LinkIdParam,
	PartParams,
	PartResponse,
	UploadParams,
	UploadResponse,
} from "../../contract/schemas";
import type { UploadAuth } from "../../do/rpc";
import { unwrap } from "../../do/stub";
import { ProblemError, problem } from "../../domain/problems";
import { sanitizeFileName } from "../../domain/uploads";
import { sha256Hex } from "../../lib/crypto";
import { hashOfSecret, newSecret, newUploadId } from "../../lib/ids";
import { filesStore } from "../../storage/r2";
import { accepted } from "../http/accepted";
import { idempotencyKeyOf } from "../http/idempotency";
import { linkOf } from "../http/link-secret";
import { ADMISSION_PROBLEMS, doc, LINK_CLOSED_PROBLEMS } from "../http/openapi";
import { jsonBody, valid } from "../http/validation";
import { writeToSession } from "../uploads/fenced-write";
import { createSession } from "../uploads/init";

const TAGS = ["uploads"];
const TERMINAL = LINK_CLOSED_PROBLEMS;
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

/** The request's body as sent, with its declared Content-Length. */
const requestBody = (c: Context<AppEnv>) => ({
	request: c.req.raw.body,
	declared: c.req.header("content-length"),
});

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
				...ADMISSION_PROBLEMS,
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
			const { stub, auth } = await authOf(c, linkId, uploadId);
			const { written } = await writeToSession(filesStore(c.env), stub, auth, {
				op: "single-put",
				body: requestBody(c),
			});
			if (!written) throw new ProblemError(problem("internal-error"));
			return c.json({ upload: written.recorded });
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
			const { stub, auth } = await authOf(c, linkId, uploadId);
			const { written } = await writeToSession(filesStore(c.env), stub, auth, {
				op: "part-put",
				partNumber: n,
				body: requestBody(c),
			});
			if (!written?.outcome.ok) throw new ProblemError(problem("internal-error"));
			const { etag, size } = written.outcome;
			return c.json({ partNumber: n, etag, size });
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
			const { written } = await writeToSession(filesStore(c.env), stub, auth, { op: "complete" });
			// A repeated complete writes nothing: it answers the upload as it is.
			return c.json({ upload: written ? written.recorded : unwrap(await stub.uploadStatus(auth)) });
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
