/**
 * The console shows every audit finding in words: each shape of finding
 * auditLink (src/domain/audit.ts) writes is matched by audit-words.ts, so
 * none falls back to its raw text; a shape it does not know stays visible.
 */
import { describe, expect, it } from "vitest";
import { type AuditSnapshot, auditLink } from "../../src/domain/audit";
import { findingWords } from "../../src/pages/admin/audit-words";

/** A revoked link that breaks nearly every invariant at once. */
const broken: AuditSnapshot = {
	link: {
		state: "revoked",
		epoch: 3,
		terminalEpoch: 3,
		filesCount: 5,
		bytesTotal: 99,
		reservedFiles: 9,
		reservedBytes: 9,
		maxFiles: 1,
		maxTotalBytes: 1,
	},
	transitions: [{ epoch: 3, kind: "revoke" }],
	commands: [
		{ id: "c1", seq: 1, kind: "revoke", status: "succeeded", appliedEpoch: 3 },
		{ id: "c2", seq: 2, kind: "delete", status: "succeeded", appliedEpoch: null },
	],
	uploads: [
		{ id: "u1", state: "finalized", size: 10, admittedEpoch: 1, completedEpoch: 1 },
		{ id: "u2", state: "aborted", size: 5, admittedEpoch: 2, completedEpoch: null },
		{ id: "u3", state: "completed", size: 7, admittedEpoch: 3, completedEpoch: 3 },
		{ id: "u4", state: "open", size: 3, admittedEpoch: 1, completedEpoch: null },
	],
	parts: [{ uploadId: "u2", partNumber: 1, recordedEpoch: 3 }],
	objects: ["u2"],
	indexedFiles: ["u2"],
	projection: { state: "active", epoch: 1 },
	sweepPending: false,
};

/** A deleted link that left bytes and index rows behind. */
const leftovers: AuditSnapshot = {
	...broken,
	link: { ...broken.link, state: "deleted", filesCount: 1, bytesTotal: 10 },
	uploads: [{ id: "u1", state: "finalized", size: 10, admittedEpoch: 1, completedEpoch: 1 }],
	parts: [],
	transitions: [
		{ epoch: 2, kind: "pause" },
		{ epoch: 3, kind: "delete" },
	],
	commands: [],
	objects: ["u1"],
	indexedFiles: ["u1"],
	projection: { state: "deleted", epoch: 3 },
};

describe("audit findings in words", () => {
	it("every finding auditLink writes has a sentence and the invariant it breaks", () => {
		const findings = [...auditLink(broken).violations, ...auditLink(leftovers).violations];
		// Each kind of finding is produced at least once by the two snapshots.
		for (const prefix of ["I1:", "I3:", "I4:", "I5:", "I6:", "I8:", "data loss:", "index:"])
			expect(
				findings.some((f) => f.startsWith(prefix)),
				prefix,
			).toBe(true);
		expect(findings.length).toBeGreaterThanOrEqual(20);
		for (const f of findings) {
			const words = findingWords(f);
			expect(words.rule, f).not.toBe("Other finding");
			expect(words.text, f).not.toBe(f);
			expect(words.text, f).not.toMatch(/undefined|\b[a-z]+[A-Z][a-zA-Z]+\b|>=|!=/);
		}
	});

	it("says what is wrong with the numbers of the finding", () => {
		expect(findingWords("I8: filesCount 5 != 1 finalized")).toEqual({
			rule: "Quotas and counters",
			text: "The link's file count is 5, but its uploads add up to 1.",
		});
		expect(findingWords("I4: projection says active@1, DO says revoked@3").text).toBe(
			"The link index says active at epoch 1, but the link itself is revoked at epoch 3.",
		);
	});

	it("a finding of an unknown shape is shown as it is", () => {
		expect(findingWords("I9: something new")).toEqual({
			rule: "Other finding",
			text: "I9: something new",
		});
	});
});
