/**
 * The shared vocabulary (src/client/vocabulary.ts) the pages, the uploader
 * page and the CLI speak: byte sizes in binary units with IEC names, in
 * prose and in columns; command status labels and the one explanation of
 * each status.
 */
import { describe, expect, it } from "vitest";
import {
	COMMAND_LABELS,
	type CommandView,
	commandExplanation,
	formatBytes,
	settledForDisplay,
} from "../../src/client";

const KiB = 1024;
const MiB = 1024 * KiB;

describe("formatBytes", () => {
	it("prose: bytes spelled out, then KiB, MiB, GiB, TiB with one decimal below 100 (none when .0)", () => {
		expect(formatBytes(0)).toBe("0 bytes");
		expect(formatBytes(1)).toBe("1 byte");
		expect(formatBytes(512)).toBe("512 bytes");
		expect(formatBytes(KiB)).toBe("1 KiB");
		expect(formatBytes(1.5 * KiB)).toBe("1.5 KiB");
		expect(formatBytes(3 * MiB + 123)).toBe("3 MiB");
		expect(formatBytes(20 * MiB)).toBe("20 MiB");
		expect(formatBytes(21.5 * MiB)).toBe("21.5 MiB");
		expect(formatBytes(150 * MiB)).toBe("150 MiB");
		expect(formatBytes(5 * 1024 * 1024 * MiB)).toBe("5 TiB");
		expect(formatBytes(null)).toBe("no limit");
	});

	it("column: B below 1 KiB, then always one decimal", () => {
		expect(formatBytes(0, "column")).toBe("0 B");
		expect(formatBytes(2 * KiB, "column")).toBe("2.0 KiB");
		expect(formatBytes(9 * MiB + 5, "column")).toBe("9.0 MiB");
		expect(formatBytes(17 * MiB, "column")).toBe("17.0 MiB");
		expect(formatBytes(1.25 * 1024 * MiB, "column")).toBe("1.3 GiB");
	});
});

describe("command statuses", () => {
	const command = (over: Partial<CommandView>): CommandView =>
		({
			id: "cmd_x",
			kind: "revoke",
			status: "accepted",
			attempts: 0,
			error: null,
			result: null,
			appliedEpoch: null,
			...over,
		}) as CommandView;

	it("a label for every status, and which ones a live display stops at", () => {
		expect(COMMAND_LABELS.dead_lettered).toBe("dead-lettered");
		expect(COMMAND_LABELS.succeeded).toBe("succeeded");
		expect(
			(["accepted", "applying", "succeeded", "rejected", "dead_lettered", "cancelled"] as const)
				.filter(settledForDisplay)
				.sort(),
		).toEqual(["cancelled", "dead_lettered", "rejected", "succeeded"]);
	});

	it("one explanation per status, for owners and admins alike", () => {
		expect(commandExplanation(command({ status: "applying" }))).toBeNull();
		expect(commandExplanation(command({ status: "succeeded", appliedEpoch: 2 }))).toBeNull();
		expect(
			commandExplanation(command({ status: "dead_lettered", attempts: 6, error: "boom" })),
		).toBe(
			"It failed after 6 attempts (last error: boom) and waits in the dead-letter list for an administrator to replay or discard it.",
		);
		expect(commandExplanation(command({ status: "rejected", result: "link-deleted" }))).toBe(
			"It was refused: link-deleted.",
		);
		expect(commandExplanation(command({ status: "rejected" }))).toBe(
			"It was refused: no reason was recorded.",
		);
		expect(
			commandExplanation(command({ status: "cancelled", result: "cancelled-after-apply" })),
		).toContain("the link stays revoked");
		expect(commandExplanation(command({ status: "cancelled" }))).toContain("before it was applied");
	});
});
