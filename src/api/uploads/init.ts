/**
 * Opening an upload session through the link's DO, for the native init and
 * the tus creation alike: the password challenge (PBKDF2 at the edge), then,
 * for a multipart session, its multipart upload in the object store under
 * the key the ledger names, recorded by the DO.
 */
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import type { LinkDO } from "../../do/link-do";
import type { InitOutcome, InitRequest, UploadView } from "../../do/rpc";
import { unwrap } from "../../do/stub";
import { ProblemError, problem } from "../../domain/problems";
import { passwordProof } from "../../lib/crypto";
import { errorField, logEvent } from "../../lib/log";
import { filesStore } from "../../storage/r2";

/** Inits whose password challenge may be re-issued (the password changed meanwhile) before giving up. */
const PASSWORD_ROUNDS = 3;

/**
 * A call to the link's DO that a password-protected link answers with a
 * challenge (the stored hash's params) until it gets a matching proof: the
 * password's hash is derived here, at the edge, and sent back, so PBKDF2
 * never holds up the link's Durable Object. The init and the one-request
 * upload's admit both go through it.
 */
export async function withPasswordProof<T extends { kind: string }>(
	call: (proof: InitRequest["passwordProof"]) => Promise<T>,
	password: string | undefined,
): Promise<Exclude<T, PasswordChallenge>> {
	let proof: InitRequest["passwordProof"] = null;
	for (let round = 0; round < PASSWORD_ROUNDS; round++) {
		const outcome = await call(proof);
		if (!isChallenge(outcome)) return outcome as Exclude<T, PasswordChallenge>;
		const hash = await passwordProof(password ?? "", outcome.params);
		proof = { params: outcome.params, hash: hash ?? "" };
	}
	throw new ProblemError(problem("password-incorrect"));
}

type PasswordChallenge = { kind: "password"; params: string };

const isChallenge = (x: { kind: string }): x is PasswordChallenge => x.kind === "password";

/** Init through the link's DO (see `withPasswordProof`). */
function initThroughDo(
	stub: DurableObjectStub<LinkDO>,
	req: Omit<InitRequest, "passwordProof">,
	password: string | undefined,
) {
	return withPasswordProof(
		async (passwordProof): Promise<InitOutcome> =>
			unwrap(await stub.initUpload({ ...req, passwordProof })),
		password,
	);
}

/** Opens the session (see the module comment); the upload as the DO recorded it. */
export async function createSession(
	c: Context<AppEnv>,
	stub: DurableObjectStub<LinkDO>,
	req: Omit<InitRequest, "passwordProof">,
	password: string | undefined,
): Promise<UploadView> {
	const init = await initThroughDo(stub, req, password);
	if (!init.needsMultipart) return init.upload;
	// The ledger names the key: routes never build storage keys.
	const created = await filesStore(c.env).createMultipart(init.needsMultipart.key, req.type);
	if (!created.ok) {
		logEvent(
			"r2.create-multipart-failed",
			{ uploadId: init.upload.id, error: errorField(created.error) },
			"error",
		);
		await stub.abortUpload({
			linkSecretHash: req.linkSecretHash,
			uploadId: init.upload.id,
			tokenHash: req.tokenHash,
		});
		throw new ProblemError(
			problem("storage-unavailable", undefined, { retryable: true, retryAfter: 1 }),
		);
	}
	return unwrap(await stub.recordInit(init.upload.id, created.value));
}
