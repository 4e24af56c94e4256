// Report sections for the CPU profiles (`--profile`).
import type { ProfileSummary } from "../profile.ts";
import { f, table } from "./markdown.ts";

export function profilesSection(profiles: Record<string, ProfileSummary | null>): string[] {
	const out: string[] = [];
	for (const [name, p] of Object.entries(profiles)) {
		if (!p) continue;
		out.push(
			"",
			`### Profile: ${name} (service isolate, ${p.sampledMs} ms sampled, ${p.idlePct}% idle)`,
			"",
			table(
				["self ms", "%", "function", "source line"],
				p.self
					.slice(0, 15)
					.map((x) => [
						f(x.ms),
						f(x.pct),
						`\`${x.function}\``,
						x.source ? `\`${x.source.replace(/`/g, "'").replace(/\|/g, "\\|")}\`` : "",
					]),
			),
			"",
			table(
				["inclusive ms", "%", "function"],
				p.inclusive.slice(0, 15).map((x) => [f(x.ms), f(x.pct), `\`${x.function}\``]),
				"rrl",
			),
		);
	}
	return out;
}
