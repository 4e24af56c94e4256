/** Admin routes for the dead-letter queue: list, inspect, replay, discard. */
import { type Context, Hono } from "hono";
import {
	CommandAccepted,
	CommandResponse,
	DeadLetterDetail,
	DeadLetterIdParam,
	DeadLetterList,
	DeadLetterListQuery,
} from "../contract/schemas";
import * as DeadLettersTable from "../d1/dead-letters";
import { unwrap } from "../do/stub";
import { ProblemError, problem } from "../domain/problems";
import { adminOnly } from "./auth";
import { accepted } from "./commands";
import type { AppEnv } from "./context";
import { stubFor } from "./do-calls";
import { doc } from "./docs";
import { DEFAULT_PAGE, decodeCursor, wirePage } from "./pagination";
import { valid } from "./validation";

const TAGS = ["admin"];

async function pendingDeadLetter(db: D1Database, id: string) {
	const dl = await DeadLettersTable.get(db, id);
	if (!dl) throw new ProblemError(problem("dead-letter-not-found"));
	if (dl.status !== "pending" || !dl.linkId || !dl.commandId) {
		throw new ProblemError(problem("dead-letter-not-pending", `This dead letter is ${dl.status}.`));
	}
	return { ...dl, linkId: dl.linkId, commandId: dl.commandId };
}

/** Replays or discards a pending dead letter's command through its link's DO, then marks the row. */
async function settle(c: Context<AppEnv>, id: string, outcome: "replayed" | "discarded") {
	const dl = await pendingDeadLetter(c.env.DB, id);
	const stub = await stubFor(c, dl.linkId);
	const command = unwrap(
		await (outcome === "replayed" ? stub.replay(dl.commandId) : stub.discard(dl.commandId)),
	);
	await DeadLettersTable.settle(c.env.DB, dl.id, outcome);
	return command;
}

export const deadLetters = new Hono<AppEnv>()
	.use(adminOnly)
	.get(
		"/",
		doc({
			summary: "List dead letters (filter by status and link)",
			tags: TAGS,
			security: "admin",
			ok: { 200: DeadLetterList },
			problems: ["unauthorized", "forbidden", "invalid-cursor", "validation-failed"],
		}),
		valid("query", DeadLetterListQuery),
		async (c) => {
			const { limit: l, cursor, status, linkId } = c.req.valid("query");
			const limit = l ?? DEFAULT_PAGE;
			const found = await DeadLettersTable.list(
				c.env.DB,
				{ status, linkId },
				decodeCursor(cursor),
				limit,
			);
			return c.json(wirePage(found));
		},
	)
	.get(
		"/:id",
		doc({
			summary: "One dead letter with its command",
			tags: TAGS,
			security: "admin",
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
		doc({
			summary: "Replay: the command is accepted again and re-sent (202)",
			tags: TAGS,
			security: "admin",
			ok: { 202: CommandAccepted },
			problems: ["unauthorized", "forbidden", "dead-letter-not-found", "dead-letter-not-pending"],
		}),
		valid("param", DeadLetterIdParam),
		async (c) => accepted(c, await settle(c, c.req.valid("param").id, "replayed")),
	)
	.post(
		"/:id/discard",
		doc({
			summary: "Discard: cancel the command (lifts the closing fence if nothing else waits)",
			tags: TAGS,
			security: "admin",
			ok: { 200: CommandResponse },
			problems: ["unauthorized", "forbidden", "dead-letter-not-found", "dead-letter-not-pending"],
		}),
		valid("param", DeadLetterIdParam),
		async (c) => c.json({ command: await settle(c, c.req.valid("param").id, "discarded") }),
	);
