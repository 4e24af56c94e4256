/**
 * The decisions behind the scheduled reconciler and the outbox's restart
 * resend (docs/operations.md, docs/commands.md): pure, no I/O.
 */

/**
 * Whether a dead-letter report is stale: its message was sent for an older
 * replay generation than the command's (an admin replayed it since), so it
 * must not dead-letter the command again.
 */
export function isStaleGeneration(messageGeneration: number, commandGeneration: number): boolean {
	return messageGeneration < commandGeneration;
}

/**
 * Outbox rows last sent before this instant (ms) are overdue: quiet for a
 * full resend interval, or sent by an earlier process of the object (before
 * `startedAt`), whose send may have been lost with it.
 */
export function overdueBefore(now: number, startedAt: number, resendAfterMs: number): number {
	return Math.max(startedAt, now - resendAfterMs);
}

/**
 * How a run's budget of `batch` links is split: a fifth (at least one) for
 * the full scan, so drift anywhere is found even while many links need
 * attention; the attention pass gets the rest, and the scan also whatever
 * the attention pass did not use.
 */
export function splitBudget(batch: number): { attention: number; scanAtLeast: number } {
	const scanAtLeast = Math.max(1, Math.ceil(batch / 5));
	return { attention: Math.max(0, batch - scanAtLeast), scanAtLeast };
}

/** The projected fields the reconciler compares. */
export interface ProjectedFields {
	state: string;
	epoch: number;
	closing: boolean;
	title: string;
	expiresAt: string | null;
}

/** Which fields of D1's row differ from the DO's projection (`["missing"]` without a row). */
export function projectionDrift(row: ProjectedFields | null, truth: ProjectedFields): string[] {
	if (!row) return ["missing"];
	const fields: (keyof ProjectedFields)[] = ["state", "epoch", "closing", "title", "expiresAt"];
	return fields.filter((f) => row[f] !== truth[f]);
}
