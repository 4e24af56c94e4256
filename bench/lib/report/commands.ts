// Report section (c): command latency.
import type { CommandsResult, Meta } from "../results.ts";
import { f, table } from "./markdown.ts";

export function commandsSection(commands: CommandsResult, m: Meta): string[] {
	const c = commands.summary;
	const t = (m.maxBatchTimeoutS ?? 1) * 1000;
	return [
		"",
		"### (c) Command latency",
		"",
		`From the client receiving the 202 to the first poll (every ${commands.pollMs} ms, \`Retry-Token\`) that shows a final status. "Server" is the command's own \`createdAt\` → \`finishedAt\`. \`max_batch_timeout\` = ${t} ms.`,
		"",
		table(
			[
				"command",
				"samples",
				"p50 ms",
				"p90 ms",
				"p99 ms",
				"max ms",
				"server p50 ms",
				"all succeeded",
			],
			(["revoke", "finalize", "burst"] as const).map((k) => [
				k === "burst" ? "revoke, 10 at once (fills a batch)" : k,
				c[k].n,
				`**${f(c[k].p50, 0)}**`,
				f(c[k].p90, 0),
				f(c[k].p99, 0),
				f(c[k].max, 0),
				f(c[k].serverP50, 0),
				c[k].allSucceeded ? "yes" : "no",
			]),
		),
		"",
		"![Command latency](commands.svg)",
	];
}
