// (e) Durable Object round trips per request, from `Server-Timing: do`, for
// one request of each kind.
import { doTiming, type RawResponse } from "../http.ts";
import type { DoCallsRow } from "../results.ts";
import { type BenchContext, MiB, PART } from "./context.ts";

export async function doCallsPhase({ svc }: BenchContext): Promise<{ rows: DoCallsRow[] }> {
	const link = await svc.createLink({ maxFiles: null });
	const rows: DoCallsRow[] = [];
	const note = (op: string, res: RawResponse) =>
		rows.push({ op, status: res.status, ...doTiming(res.headers) });
	const single = await svc.init(link, "single.txt", 10);
	note("init (single)", single.res);
	note("PUT single upload", await svc.putSingle(link, single, Buffer.from("0123456789")));
	note("finalize (202)", await svc.finalize(link, single));
	const multi = await svc.init(link, "multi.bin", 8 * MiB + 1);
	note("init (multipart)", multi.res);
	note("PUT part 1 (8 MiB)", await svc.putPart(link, multi, 1, PART));
	note("PUT part 2 (1 byte)", await svc.putPart(link, multi, 2, Buffer.from("x")));
	note("complete", await svc.complete(link, multi));
	const fin = await svc.finalize(link, multi);
	note("finalize (202)", fin);
	note("command status poll", await svc.command(fin));
	note("GET /r/:linkId", await svc.publicInfo(link));
	note("GET /api/links/:id", await svc.getLink(link));
	note("revoke (202)", await svc.revoke(link));
	return { rows };
}
