/**
 * The console's words for commands and dead letters: a status as a person
 * reads it, why a command ended where it did, and why a dead letter offers
 * no action any more. (Audit findings: audit-words.ts.)
 */
import type {
	CommandStatus,
	CommandView,
	DeadLetterStatus,
	DeadLetterView,
} from "../../contract/index";
import { isFinal } from "../../contract/index";
import { when } from "../layout";

export const COMMAND_LABELS: Record<CommandStatus, string> = {
	accepted: "accepted",
	applying: "applying",
	succeeded: "succeeded",
	rejected: "rejected",
	dead_lettered: "dead-lettered",
	cancelled: "cancelled",
};

/**
 * Whether a live status display can stop following the command: a final
 * status, or dead-lettered (nothing changes until an admin replays or
 * discards it, which opens a new display).
 */
export const settledForDisplay = (status: CommandStatus): boolean =>
	isFinal(status) || status === "dead_lettered";

/** Why the command is where it is, in a sentence; null while nothing needs explaining. */
export function commandReason(c: CommandView): string | null {
	switch (c.status) {
		case "dead_lettered":
			return `It failed every retry${c.error ? ` (last error: ${c.error})` : ""} and waits in the dead-letter list for an admin to replay or discard it.`;
		case "rejected":
			return `It was refused${c.result ? `: ${c.result}` : c.error ? `: ${c.error}` : "."}`;
		case "cancelled":
			return c.result === "cancelled-after-apply"
				? `An admin discarded it after the link was ${past(c.kind)}: the link stays ${past(c.kind)}, and the remaining clean-up is left to the background sweep.`
				: "An admin discarded it before it was applied: the link is no longer closing and accepts uploads again.";
		case "succeeded":
			return c.appliedEpoch === null ? null : `Applied at epoch ${c.appliedEpoch}.`;
		default:
			return null;
	}
}

/** The JSON the live status element polls (web/pages/live-command.ts). */
export function liveStatus(c: CommandView) {
	return {
		status: c.status,
		label: COMMAND_LABELS[c.status],
		final: settledForDisplay(c.status),
		reason: commandReason(c),
	};
}

const past = (kind: CommandView["kind"]): string =>
	({ revoke: "revoked", delete: "deleted", expire: "expired", finalize: "finalized" })[kind];

/** What each dead-letter status means, for the filter's options and the detail page. */
export const DEAD_LETTER_STATUS_TEXT: Record<DeadLetterStatus, string> = {
	pending: "Pending: waiting for an admin",
	replayed: "Replayed",
	discarded: "Discarded",
	invalid: "Invalid message",
};

/** Why a dead letter that is no longer pending shows no action. */
export function whyNoActions(dl: DeadLetterView): string {
	switch (dl.status) {
		case "replayed":
			return `This dead letter was replayed on ${when(dl.updatedAt)}: its command was sent again. There is nothing left to do here; its command's status is below.`;
		case "discarded":
			return `This dead letter was discarded on ${when(dl.updatedAt)}: its command was cancelled. There is nothing left to do here.`;
		case "invalid":
			return "This message was not a command the service can read, so there is nothing to replay or discard. It is kept here for inspection.";
		default:
			return "";
	}
}
