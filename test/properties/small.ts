/**
 * The one-request upload (POST /r/:linkId/files) as the model-based test
 * drives it: its two DO calls split apart (`admitSmall`, then the R2 write as
 * a separate step, then `recordSmall`), so the generated interleavings put
 * lifecycle changes and deliveries between them, as for a single PUT.
 */
import type { LinkDO } from "../../src/do/link-do";
import { newSecret, newUploadId } from "../../src/lib/ids";
import type { Answer, LinkModel } from "./model";

/** What the runner lends the one-request steps. */
export interface SmallContext {
	stub: DurableObjectStub<LinkDO>;
	model: LinkModel;
	linkSecretHash: string;
	sizes: number[];
	expectAnswer: (label: string, actual: Answer, predicted: Answer) => void;
	noteCommand: (label: string, seq: number | undefined, body: Record<string, unknown>) => void;
}

export interface SmallSession {
	uploadId: string;
	token: string;
	tus: false;
	auth: { linkSecretHash: string; uploadId: string; tokenHash: string };
}

const answerOf = (r: { ok: boolean }, okStatus: number): Answer => {
	if (r.ok) return { status: okStatus };
	const { status, code } = (r as unknown as { problem: Answer }).problem;
	return { status, code };
};

/** `admitSmall`: the session and its write's grant, answered like an init plus an admit. */
export async function smallAdmit(
	ctx: SmallContext,
	u: number,
	label: string,
): Promise<{ session: SmallSession; key: string } | null> {
	const uploadId = newUploadId();
	const { secret, hash } = await newSecret();
	const auth = { linkSecretHash: ctx.linkSecretHash, uploadId, tokenHash: hash };
	const r = await ctx.stub.admitSmall({
		...auth,
		name: `f${u}.bin`,
		size: ctx.sizes[u] ?? 0,
		type: "application/octet-stream",
		uploaderName: null,
		uploaderEmail: null,
		sha256: null,
		passwordGiven: false,
		passwordProof: null,
	});
	ctx.expectAnswer(label, answerOf(r, 200), ctx.model.admitSmall(u));
	if (!r.ok || r.value.kind !== "write") return null;
	return { session: { uploadId, token: secret, tus: false, auth }, key: r.value.grant.key };
}

/** `recordSmall` after the write: answered like a record, then a finalize's 202. */
export async function smallRecord(
	ctx: SmallContext,
	u: number,
	session: SmallSession,
	etag: string,
	label: string,
): Promise<void> {
	const r = await ctx.stub.recordSmall({
		auth: session.auth,
		outcome: { ok: true, etag, size: ctx.sizes[u] ?? 0 },
	});
	const predicted = ctx.model.recordSmall(u);
	ctx.expectAnswer(label, answerOf(r, 202), predicted);
	if (r.ok) ctx.noteCommand(label, predicted.seq, { command: r.value.command });
}
