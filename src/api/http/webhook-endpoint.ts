import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import * as Endpoints from "../../d1/webhook-endpoints";
import { mayActOn } from "../../domain/actor";
import { ProblemError, problem } from "../../domain/problems";
import { isWebhookEndpointId } from "../../lib/ids";

/** 404 `webhook-not-found`: the one answer for a missing, malformed or another owner's endpoint. */
export const notFound = () => new ProblemError(problem("webhook-not-found"));

/**
 * The caller's endpoint of the path, or 404 `webhook-not-found`: a malformed
 * id without a D1 read, an unknown one, another owner's (an admin sees all;
 * `mayActOn`). The delivery log's routes use it too.
 */
export async function endpointOf(
	c: Context<AppEnv>,
	endpointId: string,
): Promise<Endpoints.EndpointRow> {
	if (!isWebhookEndpointId(endpointId)) throw notFound();
	const row = await Endpoints.get(c.env.DB, endpointId);
	if (!row || !mayActOn(c.var.caller, row.ownerId)) throw notFound();
	return row;
}
