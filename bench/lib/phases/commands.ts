// (c) Command latency: revoke and finalize, one at a time, from the 202 to
// the first poll that shows a final status; plus a burst that fills a batch.
// What it costs: the link-commands consumer's invocations, counted from the
// service's log (wrangler prints one `QUEUE link-commands <acked>/<messages>`
// line per batch delivered to the consumer).
import { readFileSync, statSync } from "node:fs";
import { sleep } from "../../../scripts/lib/dev-server.ts";
import type {
	CommandSample,
	CommandSummary,
	CommandsResult,
	ConsumerCost,
	FinalizeSample,
	RevokeSample,
} from "../results.ts";
import { median, percentile, round } from "../stats.ts";
import { type BenchContext, latencySummary } from "./context.ts";
import { pollToFinal, serverMs } from "./poll.ts";

export async function commandsPhase(ctx: BenchContext): Promise<CommandsResult> {
	const { svc, samples, pollMs, log } = ctx;
	const logFile = ctx.servers.service.logFile;
	await queueQuiet(logFile);
	const serialFrom = logSize(logFile);
	const finalizeLink = await svc.createLink({ maxFiles: null });
	const revoke: RevokeSample[] = [];
	const finalize: FinalizeSample[] = [];
	for (let i = 0; i < samples; i++) {
		// Revoke: a fresh link each time (revoke is terminal).
		const link = await svc.createLink({ maxFiles: null });
		const r = await svc.revoke(link);
		const rp = await pollToFinal(svc, r, { intervalMs: pollMs });
		const firstChange = rp.polls.find((p) => p.status !== "accepted");
		revoke.push({
			ms: round(rp.finalMs),
			serverMs: serverMs(rp.command),
			status: rp.command.status,
			firstChangeSentAt: firstChange?.sentAt ?? null,
			polls: rp.polls.length,
		});
		// Finalize: a completed single upload on a shared link.
		const up = await svc.init(finalizeLink, `fin-${i}.txt`, 16);
		await svc.putSingle(finalizeLink, up, Buffer.from("0123456789abcdef"));
		const f = await svc.finalize(finalizeLink, up);
		const fp = await pollToFinal(svc, f, { intervalMs: pollMs });
		finalize.push({
			ms: round(fp.finalMs),
			serverMs: serverMs(fp.command),
			status: fp.command.status,
			result: fp.command.result,
			polls: fp.polls.length,
		});
		log(
			`  commands #${i + 1}: revoke ${round(rp.finalMs, 0)} ms (${rp.command.status}), finalize ${round(fp.finalMs, 0)} ms (${fp.command.status})`,
		);
		// Spread the samples over the queue's batch window.
		await sleep(137 * ((i % 5) + 1));
	}
	await sleep(500); // the last batch's log line
	const serialCost = consumerCost(logFile, serialFrom, 2 * samples);
	// A burst of max_batch_size (10) revokes at once fills a batch: no waiting for the timeout.
	const burstLinks = await Promise.all(
		Array.from({ length: 10 }, () => svc.createLink({ maxFiles: null })),
	);
	const burstFrom = logSize(logFile);
	const burst: CommandSample[] = await Promise.all(
		burstLinks.map(async (link) => {
			const r = await svc.revoke(link);
			const p = await pollToFinal(svc, r, { intervalMs: pollMs });
			return { ms: round(p.finalMs), serverMs: serverMs(p.command), status: p.command.status };
		}),
	);
	await sleep(500);
	const burstCost = consumerCost(logFile, burstFrom, burst.length);
	log(`  burst of 10 revokes: p50 ${round(median(msOf(burst)), 0)} ms`);
	log(
		`  consumer invocations per command: one at a time ${serialCost.perCommand}, burst ${burstCost.perCommand}`,
	);
	return {
		pollMs,
		cost: { serial: serialCost, burst: burstCost },
		samples: { revoke, finalize, burst },
		summary: { revoke: summarize(revoke), finalize: summarize(finalize), burst: summarize(burst) },
	};
}

const msOf = (list: CommandSample[]) => list.map((x) => x.ms ?? Number.NaN);

function summarize(list: CommandSample[]): CommandSummary {
	return {
		...latencySummary(msOf(list)),
		serverP50: round(median(list.map((x) => x.serverMs))),
		serverP99: round(
			percentile(
				list.map((x) => x.serverMs),
				99,
			),
		),
		allSucceeded: list.every((x) => x.status === "succeeded"),
	};
}

const logSize = (file: string): number => statSync(file).size;

/** The link-commands batches logged since byte `from`, for `commands` commands sent. */
function consumerCost(file: string, from: number, commands: number): ConsumerCost {
	const text = readFileSync(file).subarray(from).toString("utf8");
	const batches = [...text.matchAll(/QUEUE link-commands (\d+)\/(\d+)/g)];
	const messages = batches.reduce((n, m) => n + Number(m[2]), 0);
	return {
		commands,
		invocations: batches.length,
		messages,
		perCommand: round(batches.length / commands, 2) ?? 0,
	};
}

/** Waits (up to 60 s) until the consumer has logged no batch for 2 s: what earlier phases queued is done. */
async function queueQuiet(file: string): Promise<void> {
	const until = Date.now() + 60_000;
	let seen = readFileSync(file).toString("utf8").split("QUEUE link-commands").length;
	let quietSince = Date.now();
	while (Date.now() < until && Date.now() - quietSince < 2000) {
		await sleep(250);
		const now = readFileSync(file).toString("utf8").split("QUEUE link-commands").length;
		if (now !== seen) {
			seen = now;
			quietSince = Date.now();
		}
	}
}
