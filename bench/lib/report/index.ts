// Turns results.json into the Markdown report, section by section.
import type { Results } from "../results.ts";
import { cleanupSection } from "./cleanup.ts";
import { commandsSection } from "./commands.ts";
import { doCallsSection } from "./do-calls.ts";
import { headerSection } from "./header.ts";
import { partsSection } from "./parts.ts";
import { profilesSection } from "./profiles.ts";
import { smallSection } from "./small.ts";
import { tinySection } from "./tiny.ts";
import { tusSection } from "./tus.ts";
import { targetVerdicts } from "./verdicts.ts";

export { renderCharts } from "./charts.ts";
export { targetVerdicts } from "./verdicts.ts";

export function renderReport(r: Results): string {
	const m = r.meta;
	const out = headerSection(m, r.targets ?? targetVerdicts(r));
	if (r.parts) out.push(...partsSection(r.parts, m));
	if (r.tiny) out.push(...tinySection(r.tiny, m));
	if (r.commands) out.push(...commandsSection(r.commands, m));
	if (r.cleanup) out.push(...cleanupSection(r.cleanup, Boolean(r.commands), r.sqlCalibration));
	if (r.tus) out.push(...tusSection(r.tus, m));
	if (r.small) out.push(...smallSection(r.small, m));
	if (r.doCalls) out.push(...doCallsSection(r.doCalls.rows));
	if (r.profiles) out.push(...profilesSection(r.profiles));
	return `${out.join("\n")}\n`;
}
