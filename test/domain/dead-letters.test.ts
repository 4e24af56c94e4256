import { describe, expect, it } from "vitest";
import { DEAD_LETTER_STATUSES } from "../../src/contract/enums";
import { settlementOf } from "../../src/domain/dead-letters";

const command = { status: "pending", linkId: "lnk_x", commandId: "cmd_x" } as const;
const webhook = { status: "pending", linkId: "lnk_x", commandId: null } as const;
const readable = { fromWebhookQueue: true, messageReadable: true };

describe("settling a dead letter", () => {
	it("replays or discards a command's through its link", () => {
		for (const outcome of ["replayed", "discarded"] as const)
			expect(settlementOf(command, readable, outcome)).toEqual({
				ok: true,
				value: { by: "command", linkId: "lnk_x", commandId: "cmd_x" },
			});
	});

	it("refuses anything but a pending one, naming its status", () => {
		for (const status of DEAD_LETTER_STATUSES.filter((s) => s !== "pending"))
			for (const outcome of ["replayed", "discarded"] as const) {
				const r = settlementOf({ ...command, status }, readable, outcome);
				expect(r.ok).toBe(false);
				if (!r.ok) {
					expect(r.problem.code).toBe("dead-letter-not-pending");
					expect(r.problem.detail).toBe(`This dead letter is ${status}.`);
				}
			}
	});

	it("re-sends a webhook message on replay, only marks it on discard", () => {
		expect(settlementOf(webhook, readable, "replayed")).toEqual({
			ok: true,
			value: { by: "webhook", resend: true },
		});
		expect(settlementOf(webhook, readable, "discarded")).toEqual({
			ok: true,
			value: { by: "webhook", resend: false },
		});
	});

	it("cannot replay a webhook message cut short, but can discard it", () => {
		const cut = { fromWebhookQueue: true, messageReadable: false };
		const r = settlementOf(webhook, cut, "replayed");
		expect(r.ok ? null : r.problem).toMatchObject({
			code: "dead-letter-not-replayable",
			detail: "Its stored message is cut short; discard it.",
		});
		expect(settlementOf(webhook, cut, "discarded")).toMatchObject({ ok: true });
	});

	it("refuses a row with neither a command nor a webhook message", () => {
		const neither = { fromWebhookQueue: false, messageReadable: false };
		for (const outcome of ["replayed", "discarded"] as const) {
			const r = settlementOf({ ...webhook, linkId: null }, neither, outcome);
			expect(r.ok ? null : r.problem).toMatchObject({
				code: "dead-letter-not-replayable",
				detail: "It carries no command or message.",
			});
		}
	});
});
