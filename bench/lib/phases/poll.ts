// Polling a command from its 202 to a final status, every poll recorded.
import { sleep } from "../../../scripts/lib/dev-server.ts";
import { type CommandView, FINAL_COMMAND_STATUSES } from "../../../src/client/index.ts";
import type { Accepted, Service } from "../service.ts";
import { round } from "../stats.ts";

export interface Poll {
	/** When the poll was sent, ms after the 202 arrived. */
	sentAt: number | null;
	/** How long its answer took. */
	ms: number | null;
	status: string;
}

export interface Polled {
	/** When the final status was seen, ms after the 202 arrived. */
	finalMs: number;
	command: CommandView;
	polls: Poll[];
}

export async function pollToFinal(
	svc: Service,
	accepted: Accepted,
	{ intervalMs, timeoutMs = 300_000 }: { intervalMs: number; timeoutMs?: number },
): Promise<Polled> {
	const t0 = performance.now();
	const polls: Poll[] = [];
	for (;;) {
		const sentAt = performance.now() - t0;
		const res = await svc.command(accepted);
		const c = res.json.command;
		polls.push({ sentAt: round(sentAt), ms: round(res.ms), status: c.status });
		if (FINAL_COMMAND_STATUSES.includes(c.status)) {
			return { finalMs: performance.now() - t0, command: c, polls };
		}
		if (performance.now() - t0 > timeoutMs) throw new Error(`command ${c.id} not final in time`);
		await sleep(intervalMs);
	}
}

/** The command's own createdAt → finishedAt, ms. */
export const serverMs = (c: CommandView): number =>
	Date.parse(c.finishedAt ?? "") - Date.parse(c.createdAt);
