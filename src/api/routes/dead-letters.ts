/** Admin routes for the dead-letter queue: list, inspect, replay, discard. */
import { type Context, Hono } from "hono";
import * as v from "valibot";
import type { AppEnv } from "../../app-env";
import {
	CommandAccepted,
	CommandResponse,
	DeadLetterDetail,
	DeadLetterIdParam,
	DeadLetterList,
	DeadLetterListQuery,
} from "../../contract/schemas";
import {
	WebhookDeadLetterDiscarded,
	WebhookDeadLetterSettled,
} from "../../contract/webhook-schemas";
import * as DeadLettersTable from "../../d1/dead-letters";
import { unwrap } from "../../do/stub";
import { type SettleOutcome, settlementOf } from "../../domain/dead-letters";
import { ProblemError, problem } from "../../domain/problems";
import { familyOf } from "../../queues";
import * as WebhookDeliveries from "../../queues/webhook-deliveries";
import { accepted } from "../http/accepted";
import { ADMIN_LIST_PROBLEMS, adminDoc } from "../http/openapi";
import { pageOf, wirePage } from "../http/pagination";
import { valid } from "../http/validation";
import { adminOnly } from "../middleware/auth";
import { stubFor } from "../middleware/do-calls";

/** What replaying or discarding a dead letter may answer. */
const SETTLE_PROBLEMS = [
	"unauthorized",
	"forbidden",
	"dead-letter-not-found",
	"dead-letter-not-pending",
	"dead-letter-not-replayable",
] as const;

/** Replays or discards a command's dead letter through its link's DO, then marks the row. */
async function settleCommand(
	c: Context<AppEnv>,
	dl: { id: string; linkId: string; commandId: string },
	outcome: SettleOutcome,
) {
	const stub = await stubFor(c, dl.linkId);
	const command = unwrap(
		await (outcome === "replayed" ? stub.replay(dl.commandId) : stub.discard(dl.commandId)),
	);
	await DeadLettersTable.settle(c.env.DB, dl.id, outcome);
	return command;
}

/**
 * A webhook dead letter (an event nobody could deliver, or a message the
 * webhook queue gave up on) has no command: a replay sends its stored message
 * to the webhook queue again (a delivery starts a fresh schedule, with the
 * same webhook-id), a discard only marks the row.
 */
async function settleWebhook(
	c: Context<AppEnv>,
	dl: DeadLettersTable.DeadLetterRow,
	outcome: SettleOutcome,
	resend: WebhookDeliveries.WebhookMessage | null,
) {
	if (resend) await WebhookDeliveries.send(c.env.WEBHOOK_DELIVERIES, resend);
	await DeadLettersTable.settle(c.env.DB, dl.id, outcome);
	const settled = await DeadLettersTable.get(c.env.DB, dl.id);
	return { ...dl, ...settled, status: outcome };
}

/** The webhook message a dead letter stored, or null when it is cut short at 4096 characters (or not one). */
function storedWebhookMessage(body: string): WebhookDeliveries.WebhookMessage | null {
	try {
		const parsed = v.safeParse(WebhookDeliveries.WebhookMessage, JSON.parse(body));
		return parsed.success ? parsed.output : null;
	} catch {
		return null;
	}
}

/** Replays or discards a pending dead letter as `settlementOf` says: a command through its link, a webhook message through its queue. */
async function settle(c: Context<AppEnv>, id: string, outcome: SettleOutcome) {
	const dl = await DeadLettersTable.get(c.env.DB, id);
	if (!dl) throw new ProblemError(problem("dead-letter-not-found"));
	const fromWebhookQueue = familyOf(dl.queue) === WebhookDeliveries.QUEUE;
	const message = fromWebhookQueue ? storedWebhookMessage(dl.body) : null;
	const plan = unwrap(
		settlementOf(dl, { fromWebhookQueue, messageReadable: message !== null }, outcome),
	);
	if (plan.by === "command")
		return {
			kind: "command" as const,
			command: await settleCommand(c, { id: dl.id, ...plan }, outcome),
		};
	return {
		kind: "webhook" as const,
		deadLetter: await settleWebhook(c, dl, outcome, plan.resend ? message : null),
	};
}

export const deadLetters = new Hono<AppEnv>()
	.use(adminOnly)
	.get(
		"/",
		adminDoc({
			summary: "List dead letters (filter by status and link)",
			ok: { 200: DeadLetterList },
			problems: [...ADMIN_LIST_PROBLEMS],
		}),
		valid("query", DeadLetterListQuery),
		async (c) => {
			const query = c.req.valid("query");
			const { after, limit } = pageOf(query);
			const { status, linkId } = query;
			const found = await DeadLettersTable.list(c.env.DB, { status, linkId }, after, limit);
			return c.json(wirePage(found));
		},
	)
	.get(
		"/:id",
		adminDoc({
			summary: "One dead letter with its command",
			ok: { 200: DeadLetterDetail },
			problems: ["unauthorized", "forbidden", "dead-letter-not-found"],
		}),
		valid("param", DeadLetterIdParam),
		async (c) => {
			const dl = await DeadLettersTable.get(c.env.DB, c.req.valid("param").id);
			if (!dl) throw new ProblemError(problem("dead-letter-not-found"));
			let command = null;
			if (dl.linkId && dl.commandId) {
				const r = await (await stubFor(c, dl.linkId)).getCommand({ kind: "admin" }, dl.commandId);
				command = r.ok ? r.value : null;
			}
			return c.json({ deadLetter: dl, command });
		},
	)
	.post(
		"/:id/replay",
		adminDoc({
			summary: "Replay: the command is accepted again and re-sent (202)",
			description:
				"A webhook dead letter (queue webhook-deliveries*) has no command: its message is sent to the webhook queue again and the answer is { deadLetter }.",
			ok: { 202: v.union([CommandAccepted, WebhookDeadLetterSettled]) },
			problems: [...SETTLE_PROBLEMS],
		}),
		valid("param", DeadLetterIdParam),
		async (c) => {
			const settled = await settle(c, c.req.valid("param").id, "replayed");
			return settled.kind === "command"
				? accepted(c, settled.command)
				: c.json({ deadLetter: settled.deadLetter }, 202);
		},
	)
	.post(
		"/:id/discard",
		adminDoc({
			summary: "Discard: cancel the command (lifts the closing fence if nothing else waits)",
			description:
				"A webhook dead letter has no command: it is only marked discarded and the answer is { command: null, deadLetter }.",
			ok: { 200: v.union([CommandResponse, WebhookDeadLetterDiscarded]) },
			problems: [...SETTLE_PROBLEMS],
		}),
		valid("param", DeadLetterIdParam),
		async (c) => {
			const settled = await settle(c, c.req.valid("param").id, "discarded");
			return c.json(
				settled.kind === "command"
					? { command: settled.command }
					: { command: null, deadLetter: settled.deadLetter },
			);
		},
	);
