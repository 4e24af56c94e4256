/**
 * What an admin may do with a dead letter (docs/commands.md "Admin replay and
 * discard", docs/webhooks.md "Retry schedule"): only a pending one is
 * replayed or discarded; a command's goes through its link's Durable
 * Object, a webhook message's is sent again (replay) or only marked
 * (discard). Pure: the caller reads the row, says which queue family it came
 * from and whether its stored message still reads as one.
 */
import type { DeadLetterStatus } from "../contract/enums";
import { fail, ok, problem, type Result } from "./problems";

export type SettleOutcome = "replayed" | "discarded";

/** How a pending dead letter is settled. */
export type Settlement =
	/** Replay or discard the command through its link's DO, then mark the row. */
	| { by: "command"; linkId: string; commandId: string }
	/** Send the stored webhook message again (replay, `resend`) or not (discard), then mark the row. */
	| { by: "webhook"; resend: boolean };

/**
 * How `outcome` settles `dl`, or the problem that refuses it: 409
 * `dead-letter-not-pending` for a row already handled (or
 * `invalid`, which is never replayed), 409 `dead-letter-not-replayable` for a
 * webhook replay whose stored message was cut short, or a row with neither a
 * command nor a webhook message. `fromWebhookQueue`: the row came from the
 * webhook queue or its DLQ; `messageReadable`: its stored body reads as a
 * webhook message again.
 */
export function settlementOf(
	dl: { status: DeadLetterStatus; linkId: string | null; commandId: string | null },
	source: { fromWebhookQueue: boolean; messageReadable: boolean },
	outcome: SettleOutcome,
): Result<Settlement> {
	if (dl.status !== "pending")
		return fail(problem("dead-letter-not-pending", `This dead letter is ${dl.status}.`));
	if (dl.linkId && dl.commandId)
		return ok({ by: "command", linkId: dl.linkId, commandId: dl.commandId });
	if (!source.fromWebhookQueue)
		return fail(problem("dead-letter-not-replayable", "It carries no command or message."));
	if (outcome === "discarded") return ok({ by: "webhook", resend: false });
	if (!source.messageReadable)
		return fail(
			problem("dead-letter-not-replayable", "Its stored message is cut short; discard it."),
		);
	return ok({ by: "webhook", resend: true });
}
