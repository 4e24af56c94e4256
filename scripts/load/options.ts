// The load test's options: flags, their environment variables and defaults.
import { parseArgs } from "node:util";

const NUMERIC = {
	uploaders: { env: "LOAD_UPLOADERS", def: 32, help: "concurrent uploaders" },
	links: { env: "LOAD_LINKS", def: 8, help: "receive links" },
	files: { env: "LOAD_FILES", def: 3, help: "files per uploader" },
	duration: { env: "LOAD_DURATION", def: 120, help: "cap on the load phase, seconds" },
	port: { env: "LOAD_PORT", def: 8790, help: "first port to try for wrangler dev" },
	"multipart-fraction": { env: "LOAD_MULTIPART_FRACTION", def: 0.1, help: "share of large files" },
	"small-max": { env: "LOAD_SMALL_MAX", def: 65536, help: "largest small file, bytes" },
	"large-min-mib": { env: "LOAD_LARGE_MIN_MIB", def: 9, help: "smallest large file, MiB" },
	"large-max-mib": { env: "LOAD_LARGE_MAX_MIB", def: 17, help: "largest large file, MiB" },
	revoke: { env: "LOAD_REVOKE", def: 2, help: "links revoked mid-run" },
	delete: {
		env: "LOAD_DELETE",
		def: 2,
		help: "links deleted mid-run (every 2nd one revoked first)",
	},
	quiesce: { env: "LOAD_QUIESCE", def: 60, help: "max wait for commands to settle, seconds" },
	"max-wait": { env: "LOAD_MAX_WAIT", def: 45, help: "client maxWaitMs for 423/503, seconds" },
	downloads: {
		env: "LOAD_DOWNLOADS",
		def: 20,
		help: "native files downloaded and checksummed (every tus file is)",
	},
	"tus-share": {
		env: "LOAD_TUS_SHARE",
		def: 0.25,
		help: "share of the uploaders that use tus-js-client on /r/<id>/tus/",
	},
	"tus-multipart-fraction": {
		env: "LOAD_TUS_MULTIPART_FRACTION",
		def: 0.3,
		help: "share of large files among the tus uploaders' files",
	},
} as const;

const SEED = { env: "LOAD_SEED", help: "seed of the plan; printed, reuse it to reproduce" };

type NumericName = keyof typeof NUMERIC;

export type LoadOptions = Record<NumericName, number> & {
	seed: string;
	snapshot: boolean;
	verbose: boolean;
};

export function usage(): string {
	const lines = ["usage: npm run load -- [options]", ""];
	const row = (name: string, help: string, env: string, def: string | number) =>
		lines.push(`  --${name.padEnd(20)} ${help} (env ${env}, default ${def})`);
	// The order of the original help text: seed after duration.
	for (const [name, o] of Object.entries(NUMERIC)) {
		row(name, o.help, o.env, o.def);
		if (name === "duration") row("seed", SEED.help, SEED.env, "random");
	}
	lines.push(`  --${"no-snapshot".padEnd(20)} serve src/ live instead of a bundle built at start`);
	lines.push(`  --${"verbose".padEnd(20)} print every unexpected answer as it happens`);
	return lines.join("\n");
}

/** Parsed options, or "help" when --help was asked for. Throws on a bad value. */
export function parseOptions(argv: string[]): LoadOptions | "help" {
	const { values } = parseArgs({
		args: argv,
		strict: true,
		options: {
			help: { type: "boolean", short: "h" },
			verbose: { type: "boolean", short: "v" },
			"no-snapshot": { type: "boolean" },
			seed: { type: "string" },
			...Object.fromEntries(
				Object.keys(NUMERIC).map((name) => [name, { type: "string" as const }]),
			),
		},
	});
	if (values.help) return "help";
	const raw = values as Record<string, string | boolean | undefined>;
	const numbers = {} as Record<NumericName, number>;
	for (const [name, def] of Object.entries(NUMERIC) as [
		NumericName,
		(typeof NUMERIC)[NumericName],
	][]) {
		const given = raw[name] ?? process.env[def.env];
		if (given === undefined || given === "" || typeof given === "boolean") numbers[name] = def.def;
		else {
			const n = Number(given);
			if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: not a number: ${given}`);
			numbers[name] = n;
		}
	}
	const seed = values.seed ?? process.env[SEED.env];
	return {
		...numbers,
		seed: seed ? String(seed) : String(Date.now() % 1_000_000_000),
		snapshot: !(values["no-snapshot"] || process.env.LOAD_SNAPSHOT === "0"),
		verbose: Boolean(values.verbose),
		uploaders: Math.max(1, Math.floor(numbers.uploaders)),
		links: Math.max(1, Math.floor(numbers.links)),
		files: Math.max(1, Math.floor(numbers.files)),
	};
}
