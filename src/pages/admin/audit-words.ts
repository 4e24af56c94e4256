/**
 * The audit's findings (src/domain/audit.ts) in words: each finding string
 * is matched against the shapes auditLink writes and turned into a sentence
 * naming the invariant it breaks (docs/design.md#invariants). A finding of a
 * shape not known here is shown as it is, so nothing is ever hidden.
 */

export interface FindingWords {
	/** The invariant, as a short heading ("Quotas and counters"). */
	rule: string;
	/** What is wrong, in a sentence. */
	text: string;
}

const RULES = {
	I1: "Nothing accepted after closing",
	I3: "The epoch rises once per transition",
	I4: "Nothing left after delete; the index agrees",
	I5: "Completed uploads are settled",
	I6: "Nothing left open after closing",
	I8: "Quotas and counters",
	data: "Accepted data is never lost",
	index: "The file index matches the files",
} as const;

type Shape = [RegExp, keyof typeof RULES, (m: string[]) => string];

const COUNTERS: Record<string, string> = {
	filesCount: "file count",
	bytesTotal: "byte total",
	reservedFiles: "reserved file count",
	reservedBytes: "reserved byte count",
};

const SHAPES: Shape[] = [
	[
		/^I1: upload (\S+) admitted at epoch (\d+) >= terminal (\d+)$/,
		"I1",
		(m) =>
			`Upload ${m[1]} was admitted at epoch ${m[2]}, at or after the link closed (epoch ${m[3]}).`,
	],
	[
		/^I1: upload (\S+) completed at epoch (\d+) >= terminal (\d+)$/,
		"I1",
		(m) =>
			`Upload ${m[1]} was completed at epoch ${m[2]}, at or after the link closed (epoch ${m[3]}).`,
	],
	[
		/^I1: part (\d+) of (\S+) recorded at (\d+) >= terminal (\d+)$/,
		"I1",
		(m) =>
			`Part ${m[1]} of upload ${m[2]} was recorded at epoch ${m[3]}, at or after the link closed (epoch ${m[4]}).`,
	],
	[
		/^I3: epoch (\d+) but transitions at \[(.*)\]$/,
		"I3",
		(m) =>
			`The link is at epoch ${m[1]}, but its recorded transitions are at epochs ${m[2] || "(none)"}: each transition should raise the epoch by exactly one.`,
	],
	[
		/^I3: (\S+) (\S+) succeeded without an applied epoch$/,
		"I3",
		(m) => `The ${m[1]} command ${m[2]} succeeded but records no epoch it was applied at.`,
	],
	[
		/^I8: (filesCount|bytesTotal|reservedFiles|reservedBytes) (\d+) != (\d+)(?: finalized)?$/,
		"I8",
		(m) =>
			`The link's ${COUNTERS[m[1] ?? ""] ?? m[1]} is ${m[2]}, but its uploads add up to ${m[3]}.`,
	],
	[
		/^I8: (\d+) files \+ (\d+) reserved exceed maxFiles (\d+)$/,
		"I8",
		(m) => `${m[1]} files and ${m[2]} reserved uploads exceed the link's limit of ${m[3]} files.`,
	],
	[
		/^I8: bytes exceed maxTotalBytes (\d+)$/,
		"I8",
		(m) => `The files and reserved uploads exceed the link's limit of ${m[1]} bytes in total.`,
	],
	[
		/^data loss: finalized upload (\S+) has no object$/,
		"data",
		(m) => `Upload ${m[1]} was received (finalized) but its bytes are missing from storage.`,
	],
	[
		/^index: finalized upload (\S+) has no files row$/,
		"index",
		(m) => `Upload ${m[1]} was received (finalized) but is missing from the file index.`,
	],
	[
		/^index: files row for (\S+) which is not finalized$/,
		"index",
		(m) => `The file index lists upload ${m[1]}, which was never received (finalized).`,
	],
	[
		/^I5: upload (\S+) left completed after the terminal transition$/,
		"I5",
		(m) => `Upload ${m[1]} was completed but neither received nor rejected after the link closed.`,
	],
	[
		/^I6: upload (\S+) still open after the terminal transition$/,
		"I6",
		(m) => `Upload ${m[1]} is still open although the link closed.`,
	],
	[
		/^I6: object (\S+) is not a finalized file$/,
		"I6",
		(m) => `Storage still holds an object for ${m[1]}, which is not a received file.`,
	],
	[
		/^I4: (\d+) object\(s\) left after delete$/,
		"I4",
		(m) => `${m[1]} object(s) are still in storage although the link was deleted.`,
	],
	[
		/^I4: (\d+) files row\(s\) left after delete$/,
		"I4",
		(m) => `${m[1]} file index row(s) remain although the link was deleted.`,
	],
	[
		/^I4: projection says (\w+)@(\d+), DO says (\w+)@(\d+)$/,
		"I4",
		(m) =>
			`The link index says ${m[1]} at epoch ${m[2]}, but the link itself is ${m[3]} at epoch ${m[4]}.`,
	],
];

/** One finding in words; an unknown shape keeps its own text. */
export function findingWords(finding: string): FindingWords {
	for (const [re, rule, words] of SHAPES) {
		const m = re.exec(finding);
		if (m) return { rule: RULES[rule], text: words([...m]) };
	}
	return { rule: "Other finding", text: finding };
}
