// Report section (e): Durable Object round trips per request.
import type { DoCallsRow } from "../results.ts";
import { f, table } from "./markdown.ts";

export function doCallsSection(rows: DoCallsRow[]): string[] {
	return [
		"",
		"### (e) Durable Object round trips per request (`Server-Timing: do`)",
		"",
		table(
			["request", "status", "DO calls", "DO ms"],
			rows.map((x) => [x.op, x.status, x.calls ?? "–", f(x.ms)]),
		),
	];
}
