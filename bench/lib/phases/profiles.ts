// CPU profiles of the hot paths (`--profile`), each its own extra run after
// the measurements: tiny PUTs, part PUTs, the revoke of a link holding 1,000 uploads.
import { sleep } from "../../../scripts/lib/dev-server.ts";
import { FINAL_COMMAND_STATUSES } from "../../../src/client/index.ts";
import { closedLoop } from "../http.ts";
import { connectProfiler, type ProfileSummary } from "../profile.ts";
import type { Service } from "../service.ts";
import { type Log, MiB } from "./context.ts";

export async function profiles(
	svc: Service,
	inspectorPort: number,
	log: Log,
): Promise<Record<string, ProfileSummary | null>> {
	const prof = await connectProfiler(inspectorPort);
	const out: Record<string, ProfileSummary | null> = {};
	const link = await svc.createLink({ maxFiles: null });
	const tiny = Buffer.alloc(1024, 1);
	const ups = await closedLoop(
		16,
		Array.from({ length: 200 }, (_, i) => () => svc.init(link, `p-${i}.txt`, 1024)),
	);
	await prof.start();
	await closedLoop(
		16,
		ups.results.map((up) => () => svc.putSingle(link, up, tiny)),
	);
	out.tinyPut = await prof.stop();
	log("  profiled 200 tiny PUTs at concurrency 16");
	const part = Buffer.alloc(8 * MiB, 7);
	const big = await svc.init(link, "p.bin", 8 * 8 * MiB);
	await prof.start();
	await closedLoop(
		4,
		Array.from({ length: 8 }, (_, i) => () => svc.putPart(link, big, i + 1, part)),
	);
	out.partPut = await prof.stop();
	log("  profiled 8 part PUTs at concurrency 4");
	const held = await svc.createLink({ maxFiles: null });
	await closedLoop(
		32,
		Array.from({ length: 1000 }, (_, i) => async () => {
			const up = await svc.init(held, `h-${i}.txt`, 8);
			if (i % 10 === 0) await svc.putSingle(held, up, Buffer.alloc(8));
		}),
	);
	await prof.start();
	const accepted = await svc.revoke(held);
	for (;;) {
		const c = (await svc.command(accepted)).json.command;
		if (FINAL_COMMAND_STATUSES.includes(c.status)) break;
		await sleep(50);
	}
	out.revoke1000 = await prof.stop();
	log("  profiled the revoke of a link holding 1,000 uploads");
	await prof.close();
	return out;
}
