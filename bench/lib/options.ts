// The bench's flags (`npm run bench -- --help`) and the settings they imply.
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

export const HELP = `usage: npm run bench -- [options]

  --rounds N          rounds of the alternating throughput runs (default 5)
  --quick             small settings for development (1 round, cleanup up to 300 uploads);
                      writes to .wrangler/bench/quick/ and leaves BENCHMARKS.md alone
  --only LIST         phases to run, of a,b,c,d,e,f,g (default all; f: tus PATCHes of a 64 MiB
                      file; g: small files, one request against init + PUT + finalize)
  --sizes LIST        cleanup link sizes (default 10,100,1000,10000)
  --samples N         command latency samples per kind (default 12)
  --profile           also take CPU profiles of the service isolate (after the measurements)
  --wait-quiet        wait (up to 15 min) for the 1-minute load average to drop below 1.0
  --service-root DIR  benchmark the service of another checkout (to try a candidate fix)
  --out DIR           where results go (default bench/results)
  --keep-state        keep the local state under .wrangler/bench/ afterwards
  --render-only       measure nothing: re-render charts, report.md and BENCHMARKS.md from
                      the results.json in --out
Ports 8795-8798 on 127.0.0.1 must be free.`;

export interface Options {
	quick: boolean;
	rounds: number;
	only: Set<string>;
	sizes: number[];
	samples: number;
	profile: boolean;
	waitQuiet: boolean;
	serviceRoot: string;
	out: string;
	keepState: boolean;
	renderOnly: boolean;
	concurrencies: number[];
	/** Parts per run, by concurrency. */
	partsPer: Record<number, number>;
	tinyCount: number;
	tinyBytes: number;
	/** Every n-th upload of a cleanup link is completed. */
	putEvery: number;
	pollMs: number;
}

/** Where the checkout is (`root`) and where its full results go (`results`). */
export interface Paths {
	root: string;
	results: string;
}

const list = (s: string) =>
	s
		.split(",")
		.map((x) => x.trim())
		.filter(Boolean);

/** Parsed options, or "help" when --help was asked for. Throws on a bad value. */
export function parseOptions(argv: string[], paths: Paths): Options | "help" {
	const { values } = parseArgs({
		args: argv,
		options: {
			help: { type: "boolean", short: "h" },
			rounds: { type: "string" },
			quick: { type: "boolean" },
			only: { type: "string" },
			sizes: { type: "string" },
			samples: { type: "string" },
			profile: { type: "boolean" },
			"wait-quiet": { type: "boolean" },
			"service-root": { type: "string" },
			out: { type: "string" },
			"keep-state": { type: "boolean" },
			"render-only": { type: "boolean" },
		},
		strict: true,
	});
	if (values.help) return "help";
	const quick = Boolean(values.quick);
	const o: Options = {
		quick,
		rounds: Number(values.rounds ?? (quick ? 1 : 5)),
		only: new Set(list(values.only ?? "a,b,c,d,e,f,g")),
		sizes: list(values.sizes ?? (quick ? "10,100,300" : "10,100,1000,10000")).map(Number),
		samples: Number(values.samples ?? (quick ? 4 : 12)),
		profile: Boolean(values.profile),
		waitQuiet: Boolean(values["wait-quiet"]),
		serviceRoot: resolve(values["service-root"] ?? paths.root),
		out: resolve(
			values.out ?? (quick ? join(paths.root, ".wrangler", "bench", "quick") : paths.results),
		),
		keepState: Boolean(values["keep-state"]),
		renderOnly: Boolean(values["render-only"]),
		concurrencies: [1, 4, 16],
		partsPer: { 1: 4, 4: 8, 16: 16 },
		tinyCount: quick ? 100 : 200,
		tinyBytes: 1024,
		putEvery: 10,
		pollMs: 10,
	};
	for (const [k, v] of Object.entries({ rounds: o.rounds, samples: o.samples })) {
		if (!Number.isInteger(v) || v < 1) throw new Error(`--${k}: not a positive integer`);
	}
	return o;
}
