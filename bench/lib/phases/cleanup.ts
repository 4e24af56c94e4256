// (d) Cleanup scaling: revoke and delete of links holding 10 .. 10,000
// uploads, while another link's public info is probed every 100 ms.
import { randomBytes } from "node:crypto";
import { sleep } from "../../../scripts/lib/dev-server.ts";
import { closedLoop, request } from "../http.ts";
import type { CleanupFit, CleanupKind, CleanupResult, CleanupRow } from "../results.ts";
import type { Link, Service } from "../service.ts";
import { linearFit, median, round } from "../stats.ts";
import type { BenchContext } from "./context.ts";
import { pollToFinal, serverMs } from "./poll.ts";

/** Creates `n` uploads on each link (every `putEvery`-th one completed with a PUT). */
function populate(svc: Service, links: Link[], n: number, putEvery: number, body: Buffer) {
	const tasks: (() => Promise<void>)[] = [];
	for (const link of links) {
		for (let i = 0; i < n; i++) {
			tasks.push(async () => {
				const up = await svc.init(link, `held-${i}.txt`, body.length);
				if (i % putEvery === 0) await svc.putSingle(link, up, body);
			});
		}
	}
	return closedLoop(32, tasks);
}

/** Requests `link`'s public info every 100 ms until stopped: is the runtime still serving? */
function startProbe(svc: Service, link: Link) {
	let probing = true;
	const probes: { at: number; ms: number }[] = [];
	const prober = (async () => {
		while (probing) {
			const t = performance.now();
			const res = await request("GET", link.up, { headers: svc.linkHeaders(link) });
			probes.push({ at: t, ms: res.ms });
			await sleep(100);
		}
	})();
	return {
		async stop() {
			probing = false;
			await prober;
			return probes;
		},
	};
}

/**
 * `fixedMs`: the p50 of an empty link's revoke from (c), when measured; the
 * fixed part (queue batch wait, empty drain) of the growth exponent.
 */
export async function cleanupPhase(
	ctx: BenchContext,
	fixedMs: number | null,
): Promise<CleanupResult> {
	const { svc, sizes, putEvery, pollMs, log } = ctx;
	const body = randomBytes(64);
	const probeLink = await svc.createLink({ maxFiles: null });
	const results: CleanupRow[] = [];
	for (const n of sizes) {
		const revokeLink = await svc.createLink({ maxFiles: null });
		const deleteLink = await svc.createLink({ maxFiles: null });
		const pop = await populate(svc, [revokeLink, deleteLink], n, putEvery, body);
		log(`  cleanup: ${n} uploads on each of 2 links populated in ${round(pop.wallMs / 1000, 1)} s`);
		for (const [kind, link] of [
			["revoke", revokeLink],
			["delete", deleteLink],
		] as const) {
			const before = await svc.getLink(link);
			const probe = startProbe(svc, probeLink);
			const accepted = kind === "revoke" ? await svc.revoke(link) : await svc.delete(link);
			const acceptedAt = performance.now();
			const p = await pollToFinal(svc, accepted, { intervalMs: pollMs });
			const probes = await probe.stop();
			const stalled = p.polls.find((x) => Number(x.ms) > 250);
			const during = probes.filter((x) => x.at >= acceptedAt);
			const row: CleanupRow = {
				kind,
				uploads: n,
				completed: Math.ceil(n / putEvery),
				open: n - Math.ceil(n / putEvery),
				counters: before.json.link.counters,
				ms: round(p.finalMs),
				serverMs: serverMs(p.command),
				status: p.command.status,
				steps: p.command.steps,
				polls: p.polls.length,
				// The first poll the runtime did not answer promptly: roughly when the drain began.
				stalledFromMs: stalled ? stalled.sentAt : null,
				longestPollMs: round(Math.max(...p.polls.map((x) => Number(x.ms)))),
				probe: {
					n: during.length,
					p50: round(median(during.map((x) => x.ms))),
					max: round(Math.max(0, ...during.map((x) => x.ms))),
				},
				populateS: round(pop.wallMs / 1000, 1),
			};
			results.push(row);
			log(
				`  cleanup: ${kind.padEnd(6)} ${String(n).padStart(6)} uploads: ${round(p.finalMs / 1000, 2)} s (${p.command.status}); other link's request stalled up to ${round(Number(row.probe.max) / 1000, 2)} s`,
			);
		}
	}
	return {
		putEvery,
		sizes,
		results,
		fits: {
			revoke: fitOf(results, "revoke", sizes, fixedMs),
			delete: fitOf(results, "delete", sizes, fixedMs),
		},
	};
}

/** The least-squares line of one kind's times, and its growth over the top decade measured. */
function fitOf(
	results: CleanupRow[],
	kind: CleanupKind,
	sizes: number[],
	fixedMs: number | null,
): CleanupFit | null {
	const pts = results
		.filter((r) => r.kind === kind)
		.map((r): [number, number] => [r.uploads, Number(r.ms)]);
	const fit = linearFit(pts);
	if (!fit) return null;
	const byN = new Map(pts);
	// Growth over the top decade measured: the largest size against the largest one at most a tenth of it.
	const big = Math.max(...sizes);
	const prev = Math.max(0, ...sizes.filter((s) => s <= big / 10));
	// The fixed part (queue batch wait, empty drain) is the zero-upload revoke of (c) when
	// measured, else the fitted intercept.
	const fixed = fixedMs ?? fit.a;
	const tBig = byN.get(big);
	const tPrev = byN.get(prev);
	return {
		interceptMs: round(fit.a),
		msPerUpload: round(fit.b, 3),
		r2: round(fit.r2, 4),
		decade: [prev, big],
		ratioLastDecade: tBig !== undefined && tPrev !== undefined ? round(tBig / tPrev, 2) : null,
		fixedMs: round(fixed),
		exponentLastDecade:
			tBig !== undefined && tPrev !== undefined && fixed < tPrev
				? round(Math.log10((tBig - fixed) / (tPrev - fixed)) / Math.log10(big / prev), 3)
				: null,
	};
}
