/**
 * An endpoint's delivery log and redelivery (docs/webhooks.md "Delivery
 * log"): the attempts, newest first, and "send this event again". Mounted at
 * /api/webhooks beside the endpoint routes; owners see their own endpoints
 * only (another owner's is 404 webhook-not-found), admins every endpoint. A
 * redelivery goes only to an endpoint that took the event, counts against
 * the owner's send limit, and joins one still pending for the same endpoint
 * and event ("Redelivery and test events").
 */
import { Hono } from "hono";
import type { AppEnv } from "../../app-env";
import { ListQuery } from "../../contract/schemas";
import {
	DeliveryAttemptList,
	DeliveryLogParams,
	RedeliverParams,
	RedeliveryAccepted,
} from "../../contract/webhook-schemas";
import * as WebhookLog from "../../d1/webhook-log";
import * as Redeliveries from "../../d1/webhook-redeliveries";
import { ProblemError, problem } from "../../domain/problems";
import { redeliveryLeaseUntil, redeliveryRefusal } from "../../domain/redelivery";
import { newRedeliveryId } from "../../lib/ids";
import * as WebhookDeliveries from "../../queues/webhook-deliveries";
import { doc } from "../http/openapi";
import { pageOf, wirePage } from "../http/pagination";
import { valid } from "../http/validation";
import { endpointOf } from "../http/webhook-endpoint";
import { admitWebhookSend } from "../http/webhook-sends";
import { ownerOrAdmin } from "../middleware/auth";

const TAGS = ["webhooks"];

// ownerOrAdmin per route, not with use(): the endpoint routes share the /api/webhooks prefix.
export const webhookDeliveries = new Hono<AppEnv>()
	.get(
		"/:endpointId/deliveries",
		doc({
			summary: "An endpoint's delivery log: every attempt, newest first",
			tags: TAGS,
			ok: { 200: DeliveryAttemptList },
			problems: ["unauthorized", "webhook-not-found", "invalid-cursor", "validation-failed"],
		}),
		ownerOrAdmin,
		valid("param", DeliveryLogParams),
		valid("query", ListQuery),
		async (c) => {
			const endpoint = await endpointOf(c, c.req.valid("param").endpointId);
			const { after, limit } = pageOf(c.req.valid("query"));
			const page = await WebhookLog.listForEndpoint(c.env.DB, endpoint.id, after, limit);
			c.header("Cache-Control", "no-store");
			return c.json(wirePage(page));
		},
	)
	.post(
		"/:endpointId/deliveries/:eventId/redeliver",
		doc({
			summary: "Deliver one event to this endpoint again (202; the attempts join the log)",
			description:
				"Sends the stored event again with the same webhook-id, on a fresh retry schedule, " +
				"unless a redelivery of it to this endpoint is still pending: then the answer names " +
				"that one (merged: true) and nothing more is sent. Only to an endpoint that had the " +
				"event or took its type when it was stored; counts against the owner's " +
				"WEBHOOK_SENDS_PER_MINUTE. A disabled endpoint gets nothing until it is enabled again.",
			tags: TAGS,
			ok: { 202: RedeliveryAccepted },
			problems: [
				"unauthorized",
				"webhook-not-found",
				"webhook-event-not-found",
				"webhook-event-not-subscribed",
				"too-many-webhook-sends",
				"validation-failed",
			],
		}),
		ownerOrAdmin,
		valid("param", RedeliverParams),
		async (c) => {
			const { endpointId, eventId } = c.req.valid("param");
			const endpoint = await endpointOf(c, endpointId);
			const event = await WebhookLog.getEvent(c.env.DB, eventId);
			if (!event || event.ownerId !== endpoint.ownerId)
				throw new ProblemError(problem("webhook-event-not-found"));
			const attempted = await WebhookLog.hasAttempt(c.env.DB, event.id, endpoint.id);
			const refusal = redeliveryRefusal(endpoint, event, attempted);
			if (refusal) throw new ProblemError(problem("webhook-event-not-subscribed", refusal));
			await admitWebhookSend(c.env, endpoint.ownerId);
			const nowMs = Date.now();
			const redelivery = await Redeliveries.begin(c.env.DB, {
				endpointId: endpoint.id,
				eventId: event.id,
				id: newRedeliveryId(),
				leaseUntil: redeliveryLeaseUntil(nowMs),
				nowMs,
			});
			if (!redelivery.merged) {
				const message = WebhookDeliveries.deliveryMessage(event.id, endpoint.id, redelivery.id);
				try {
					await WebhookDeliveries.send(c.env.WEBHOOK_DELIVERIES, message);
				} catch (error) {
					// Never sent: it must not keep the next redelivery waiting for its lease.
					await Redeliveries.end(c.env.DB, endpoint.id, event.id, redelivery.id);
					throw error;
				}
			}
			return c.json(
				{
					eventId: event.id,
					endpointId: endpoint.id,
					redeliveryId: redelivery.id,
					merged: redelivery.merged,
				},
				202,
			);
		},
	);
