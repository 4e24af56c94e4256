/** Runs the reconciler as the Cron Trigger does, through the Worker's `scheduled` export. */
import { createExecutionContext, createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import worker from "../../src/index";
import type { ReconcileSummary } from "../../src/reconciler";

export interface RepairLine {
	event: "reconcile.repair";
	kind: string;
	linkId: string;
	[field: string]: unknown;
}

export interface CronRun {
	summary: ReconcileSummary;
	repairs: RepairLine[];
	/** This link's repairs. */
	of(linkId: string): RepairLine[];
}

/** One cron run (with `vars` overriding env vars); its summary and repair lines, read from its logs. */
export async function runCron(vars: { RECONCILE_BATCH?: string } = {}): Promise<CronRun> {
	const spy = vi.spyOn(console, "log");
	try {
		const ctx = createExecutionContext();
		await worker.scheduled(
			createScheduledController({ cron: "*/5 * * * *", scheduledTime: Date.now() }),
			{ ...env, ...vars } as Env,
			ctx,
		);
		const lines = spy.mock.calls
			.map((args) => args[0])
			.filter((a): a is string => typeof a === "string" && a.startsWith("{"))
			.map((a) => {
				// Every log line carries its level (src/lib/log.ts); the tests compare the rest.
				const { level: _level, ...line } = JSON.parse(a) as { event?: string; level?: string };
				return line;
			});
		const summary = lines.find((l) => l.event === "reconcile.run") as ReconcileSummary | undefined;
		if (!summary) throw new Error("no reconcile.run line");
		const repairs = lines.filter((l) => l.event === "reconcile.repair") as RepairLine[];
		return { summary, repairs, of: (id) => repairs.filter((r) => r.linkId === id) };
	} finally {
		spy.mockRestore();
	}
}
