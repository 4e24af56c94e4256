/**
 * The scheduled reconciler (Cron Trigger, docs/operations.md). Each run looks
 * at a bounded number of links (`RECONCILE_BATCH`): first the links D1 says
 * need attention (closing, or terminal and not confirmed swept), then, with
 * the rest of the budget, every link in id order; each pass resumes from its
 * cursor in D1, so successive runs cover everything. For each link it asks
 * the link's Durable Object to `reconcile()` (overdue outbox re-sent, missing
 * dead-letter rows written, sweep re-armed while the closed prefix holds
 * leftovers) and repairs the D1 projection when it drifted from the DO's.
 * Every repair is one `reconcile.repair` JSON line; the run ends with one
 * `reconcile.run` line counting them. Idempotent: a run right after another
 * repairs nothing.
 */
import * as LinksTable from "../d1/links";
import * as Cursors from "../d1/reconciler";
import type { ReconcileRepair, ReconcileReport } from "../do/rpc";
import { linkStub } from "../do/stub";
import { projectionDrift, splitBudget } from "../domain/reconcile";
import { mapLimit } from "../lib/limit";
import { errorField, logEvent } from "../lib/log";

/** Links looked at per run when `RECONCILE_BATCH` is unset or invalid. */
export const DEFAULT_BATCH = 50;
/** DO calls in flight at once. */
const PARALLEL = 4;
/** Cursor names of the two passes. */
export const PASSES = { attention: "attention", scan: "scan" } as const;

export interface ReconcileSummary {
	event: "reconcile.run";
	/** Links looked at. */
	links: number;
	repairs: number;
	/** Repairs by kind. */
	byKind: Partial<Record<ReconcileRepair["kind"], number>>;
	/** Links whose check failed (retried by the next run). */
	errors: number;
	ms: number;
}

export function batchSize(env: Pick<Env, "RECONCILE_BATCH">): number {
	const n = Number(env.RECONCILE_BATCH);
	return Number.isInteger(n) && n > 0 ? n : DEFAULT_BATCH;
}

/** Up to `limit` ids of one pass from its cursor; the cursor moves on (back to the start at the end). */
async function nextIds(
	db: D1Database,
	pass: keyof typeof PASSES,
	limit: number,
	skip: Set<string>,
): Promise<string[]> {
	if (limit <= 0) return [];
	const after = await Cursors.cursorOf(db, PASSES[pass]);
	const page = await LinksTable.idsAfter(db, after, limit, pass === "attention");
	const last = page.at(-1);
	// A short page reached the end: the next run starts this pass over. The page as read, not
	// as filtered: a link `skip` took out (the attention pass has it) must not reset the cursor.
	await Cursors.saveCursor(db, PASSES[pass], page.length < limit || !last ? "" : last);
	return page.filter((id) => !skip.has(id));
}

function logRepair(linkId: string, repair: ReconcileRepair): void {
	logEvent("reconcile.repair", { linkId, ...repair });
}

/** Checks one link; its repairs (already logged). Throws when the DO or D1 call fails. */
async function reconcileLink(env: Env, linkId: string): Promise<ReconcileRepair[]> {
	const report: ReconcileReport | null = await linkStub(env, linkId).reconcile();
	if (!report) return [];
	const repairs = [...report.repairs];
	const row = await LinksTable.projectionRow(env.DB, linkId);
	const { view } = report;
	const fields = projectionDrift(row, {
		state: view.state,
		epoch: view.epoch,
		closing: view.closing,
		title: view.settings.title,
		expiresAt: view.settings.expiresAt,
	});
	if (fields.length > 0) {
		await LinksTable.repair(env.DB, report.view, report.version);
		repairs.push({ kind: "projection-repaired", fields });
	}
	// Bookkeeping, not a repair: which closed links the attention pass may skip from now on.
	if (report.swept !== (row?.swept ?? false))
		await LinksTable.markSwept(env.DB, linkId, report.swept, view.state);
	for (const repair of repairs) logRepair(linkId, repair);
	return repairs;
}

/** One run (the `scheduled` handler's work); returns the summary it logs. */
export async function reconcile(env: Env): Promise<ReconcileSummary> {
	const started = Date.now();
	const budget = batchSize(env);
	const split = splitBudget(budget);
	const attention = await nextIds(env.DB, "attention", split.attention, new Set());
	const scan = await nextIds(env.DB, "scan", budget - attention.length, new Set(attention));
	const ids = [...attention, ...scan];
	const byKind: ReconcileSummary["byKind"] = {};
	let repairs = 0;
	let errors = 0;
	await mapLimit(ids, PARALLEL, async (linkId) => {
		try {
			for (const r of await reconcileLink(env, linkId)) {
				byKind[r.kind] = (byKind[r.kind] ?? 0) + 1;
				repairs++;
			}
		} catch (error) {
			errors++;
			logEvent("reconcile.error", { linkId, error: errorField(error) }, "error");
		}
	});
	const summary: ReconcileSummary = {
		event: "reconcile.run",
		links: ids.length,
		repairs,
		byKind,
		errors,
		ms: Date.now() - started,
	};
	const { event, ...fields } = summary;
	logEvent(event, fields);
	return summary;
}

/** The Cron Trigger's entry point (`scheduled` in src/index.ts). */
export async function scheduled(
	_controller: ScheduledController,
	env: Env,
	_ctx?: ExecutionContext,
): Promise<void> {
	await reconcile(env);
}
