/**
 * The service's words for people, declared once: what a command's status is
 * called and why a command is where it is, what a link's state means, what
 * a dead letter's status is called, and byte sizes. The pages (src/pages),
 * the uploader page (web/uploader) and the CLI (cli/) all speak through
 * this module, so a status reads the same everywhere (docs/web.md, "One
 * vocabulary"). Browser-safe: the contract's types and enumerations only.
 */
import { isFinal } from "../contract/enums.ts";
import type {
	CommandKind,
	CommandStatus,
	CommandView,
	DeadLetterStatus,
	LinkState,
} from "./types.ts";

/** A command's status as a badge or a line of the CLI says it. */
export const COMMAND_LABELS: Record<CommandStatus, string> = {
	accepted: "accepted",
	applying: "applying",
	succeeded: "succeeded",
	rejected: "rejected",
	dead_lettered: "dead-lettered",
	cancelled: "cancelled",
};

/** What a link's state means for its owner. */
export const LINK_STATE_EXPLANATIONS: Record<LinkState, string> = {
	active: "Accepting uploads.",
	paused: "Paused: uploads wait until you resume the link.",
	revoked: "Revoked: the link no longer accepts uploads. Its files stay available.",
	expired: "Expired: the link no longer accepts uploads. Its files stay available.",
	deleted: "Deleted: the link and every file it received are gone.",
};

/** A dead letter's status, for the console's filter and detail page. */
export const DEAD_LETTER_LABELS: Record<DeadLetterStatus, string> = {
	pending: "Pending: waiting for an admin",
	replayed: "Replayed",
	discarded: "Discarded",
	invalid: "Invalid message",
};

const PAST: Record<CommandKind, string> = {
	revoke: "revoked",
	delete: "deleted",
	expire: "expired",
	finalize: "finalized",
};

/**
 * Why a command is where it is, in a sentence (the same on the dashboard and
 * the console); null while nothing needs explaining.
 */
export function commandExplanation(c: CommandView): string | null {
	switch (c.status) {
		case "dead_lettered":
			return `It failed after ${c.attempts} attempts (last error: ${c.error ?? "none recorded"}) and waits in the dead-letter list for an administrator to replay or discard it.`;
		case "rejected":
			return `It was refused: ${c.result ?? c.error ?? "no reason was recorded"}.`;
		case "cancelled":
			return c.result === "cancelled-after-apply"
				? `An administrator discarded it after the link was ${PAST[c.kind]}: the link stays ${PAST[c.kind]}, and the remaining clean-up is left to the background sweep.`
				: "An administrator discarded it before it was applied: the link is no longer closing and accepts uploads again.";
		default:
			return null;
	}
}

/**
 * Whether a live status display can stop following the command: a final
 * status, or dead-lettered (nothing changes until an admin replays or
 * discards it, which opens a new display).
 */
export const settledForDisplay = (status: CommandStatus): boolean =>
	isFinal(status) || status === "dead_lettered";

/** How a byte count is laid out: in a sentence, or in a column that keeps its width. */
export type BytesStyle = "prose" | "column";

const UNITS = ["KiB", "MiB", "GiB", "TiB"];

/**
 * A byte count in binary units with their IEC names (1 KiB = 1,024 bytes,
 * 1 MiB = 1,048,576): the units the dashboard's forms take, the CLI parses
 * and the service's limits are set in, so a 20 MiB limit reads `20 MiB`
 * everywhere. `prose` (pages): `1 byte`, `512 bytes`, `1.5 KiB`, `20 MiB`,
 * `120 GiB` (one decimal below 100, none when it is 0). `column` (the CLI's
 * tables and progress bars): `0 B`, `1.5 KiB`, `17.0 MiB` (always one
 * decimal). No size (null): `no limit`.
 */
export function formatBytes(n: number | null | undefined, style: BytesStyle = "prose"): string {
	if (n === null || n === undefined) return "no limit";
	if (n < 1024) return style === "column" ? `${n} B` : `${n} ${n === 1 ? "byte" : "bytes"}`;
	let v = n / 1024;
	let i = 0;
	while (v >= 1024 && i < UNITS.length - 1) {
		v /= 1024;
		i++;
	}
	if (style === "column") return `${v.toFixed(1)} ${UNITS[i]}`;
	const shown = v >= 100 ? Math.round(v).toString() : Number(v.toFixed(1)).toString();
	return `${shown} ${UNITS[i]}`;
}
