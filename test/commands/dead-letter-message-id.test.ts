/**
 * A dead-letter row names the DLQ message it came from: when one DLQ message
 * makes the link's DO write every dead letter it still owes D1, only its own
 * command's row carries that message's id (the others are not that message).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
	bodyOf,
	type CommandBody,
	createLink,
	createOwner,
	issue,
	setFaults,
	stubOf,
} from "../helpers";

describe("dead-letter rows", () => {
	it("a DLQ message's id is written on its own command's row only", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey);
		await setFaults(link.id, { failSend: 1_000, failDeadLetterRecord: 1_000 });
		const revoke = (await bodyOf<{ command: CommandBody }>(await issue("revoke", link.id, apiKey)))
			.command;
		// Its row cannot be written yet (D1 fails for this link's object).
		await stubOf(link.id).deadLetter({
			commandId: revoke.id,
			generation: 0,
			messageId: "dlq-msg-revoke",
		});
		const del = (await bodyOf<{ command: CommandBody }>(await issue("delete", link.id, apiKey)))
			.command;
		await setFaults(link.id, { failSend: 1_000 });
		await stubOf(link.id).deadLetter({
			commandId: del.id,
			generation: 0,
			messageId: "dlq-msg-delete",
		});

		const rows = await env.DB.prepare(
			"SELECT command_id, message_id FROM dead_letters WHERE link_id = ? ORDER BY command_id",
		)
			.bind(link.id)
			.all<{ command_id: string; message_id: string }>();
		const byCommand = Object.fromEntries(rows.results.map((r) => [r.command_id, r.message_id]));
		expect(byCommand[del.id]).toBe("dlq-msg-delete");
		expect(byCommand[revoke.id]).toBeDefined();
		expect(byCommand[revoke.id]).not.toBe("dlq-msg-delete");
	});
});
