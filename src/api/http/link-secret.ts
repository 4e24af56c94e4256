/**
 * Uploader authorization: the link id names the link in the path; the link's
 * secret travels only in the `Link-Secret` request header (the upload URL
 * carries it in its fragment, which clients never send). A forged id, a
 * missing or malformed secret and a wrong secret all answer the same
 * `404 link-not-found`; the first three without touching a Durable Object.
 */
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import type { LinkDO } from "../../do/link-do";
import { ProblemError, problem } from "../../domain/problems";
import { hashOfSecret } from "../../lib/ids";
import { stubFor } from "../middleware/do-calls";

export const LINK_SECRET_HEADER = "Link-Secret";

/** The link's stub and the hash of the presented secret (the DO compares it). */
export async function linkOf(
	c: Context<AppEnv>,
	linkId: string,
): Promise<{ linkId: string; secretHash: string; stub: DurableObjectStub<LinkDO> }> {
	const secretHash = await hashOfSecret(c.req.header(LINK_SECRET_HEADER));
	const stub = await stubFor(c, linkId);
	if (!secretHash) throw new ProblemError(problem("link-not-found"));
	return { linkId, secretHash, stub };
}
