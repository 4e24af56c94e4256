import { describe, expect, it } from "vitest";
import { type AuditSnapshot, auditLink } from "../../src/domain/audit";

const clean: AuditSnapshot = {
	link: {
		state: "revoked",
		epoch: 3,
		terminalEpoch: 3,
		filesCount: 1,
		bytesTotal: 10,
		reservedFiles: 0,
		reservedBytes: 0,
		maxFiles: 2,
		maxTotalBytes: null,
	},
	transitions: [
		{ epoch: 2, kind: "pause" },
		{ epoch: 3, kind: "revoke" },
	],
	commands: [{ id: "c1", seq: 1, kind: "revoke", status: "succeeded", appliedEpoch: 3 }],
	uploads: [
		{ id: "u1", state: "finalized", size: 10, admittedEpoch: 1, completedEpoch: 1 },
		{ id: "u2", state: "aborted", size: 5, admittedEpoch: 2, completedEpoch: null },
	],
	parts: [],
	objects: ["u1"],
	indexedFiles: ["u1"],
	projection: { state: "revoked", epoch: 3 },
	sweepPending: false,
};

describe("auditLink", () => {
	it("finds nothing wrong with a consistent link", () => {
		expect(auditLink(clean)).toEqual({ settled: true, violations: [] });
	});

	it("flags each broken invariant", () => {
		const cases: [Partial<AuditSnapshot>, string][] = [
			[
				{
					uploads: [
						...clean.uploads,
						{ id: "u3", state: "aborted", size: 1, admittedEpoch: 3, completedEpoch: null },
					],
				},
				"I1",
			],
			[{ parts: [{ uploadId: "u2", partNumber: 1, recordedEpoch: 3 }] }, "I1"],
			[{ transitions: [{ epoch: 3, kind: "revoke" }] }, "I3"],
			[{ objects: ["u1", "u2"] }, "I6"],
			[{ objects: [] }, "data loss"],
			[{ indexedFiles: [] }, "index"],
			[
				{
					uploads: [
						clean.uploads[0] as AuditSnapshot["uploads"][number],
						{ id: "u2", state: "completed", size: 5, admittedEpoch: 2, completedEpoch: 2 },
					],
				},
				"I5",
			],
			[{ link: { ...clean.link, filesCount: 2 } }, "I8"],
			[{ link: { ...clean.link, maxFiles: 0 } }, "I8"],
			[{ projection: { state: "active", epoch: 1 } }, "I4"],
			[
				{
					link: { ...clean.link, state: "deleted", epoch: 4 },
					transitions: [...clean.transitions, { epoch: 4, kind: "delete" }],
					projection: { state: "deleted", epoch: 4 },
				},
				"I4",
			],
		];
		for (const [patch, label] of cases) {
			const report = auditLink({ ...clean, ...patch });
			expect(
				report.violations.some((v) => v.startsWith(label)),
				`${label}: ${JSON.stringify(report)}`,
			).toBe(true);
		}
	});

	it("reports an unsettled link and skips the checks that need quiet", () => {
		const report = auditLink({
			...clean,
			commands: [{ id: "c1", seq: 1, kind: "revoke", status: "applying", appliedEpoch: 3 }],
			uploads: [
				...clean.uploads,
				{ id: "u4", state: "open", size: 1, admittedEpoch: 2, completedEpoch: null },
			],
			link: { ...clean.link, reservedFiles: 1, reservedBytes: 1 },
		});
		expect(report).toEqual({ settled: false, violations: [] });
	});
});
