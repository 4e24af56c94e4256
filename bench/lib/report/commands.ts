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
		...costLines(commands),
		"",
		"![Command latency](commands.svg)",
	];
}

/** What the latency costs: consumer invocations per command, from the service's log. */
function costLines(commands: CommandsResult): string[] {
	const cost = commands.cost;
	if (!cost) return [];
	return [
		"",
		"What it costs: the link-commands consumer's invocations (one per batch; wrangler logs each as `QUEUE link-commands <acked>/<messages>`), counted over the same run.",
		"",
		table(
			["commands", "sent", "consumer invocations", "messages delivered", "invocations per command"],
			[
				[
					"one at a time (revoke and finalize above)",
					cost.serial.commands,
					cost.serial.invocations,
					cost.serial.messages,
					`**${f(cost.serial.perCommand, 2)}**`,
				],
				[
					"10 revokes at once",
					cost.burst.commands,
					cost.burst.invocations,
					cost.burst.messages,
					`**${f(cost.burst.perCommand, 2)}**`,
				],
			],
		),
	];
}
