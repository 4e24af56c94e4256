/**
 * Numbers for people: rates, durations, tables, and size/duration arguments.
 * Sizes are the shared vocabulary's (`formatBytes(n, "column")`,
 * src/client/vocabulary.ts): binary units, `17.0 MiB`, one decimal so bars
 * and columns keep their width.
 */
import { formatBytes } from "../src/client/vocabulary.ts";

/** 1536 B/s -> "1.5 KiB/s". */
export function formatRate(bytesPerSecond: number): string {
	return `${formatBytes(Math.round(bytesPerSecond), "column")}/s`;
}

/** Seconds as "42s", "3m05s", "1h02m"; unknown as "--". */
export function formatDuration(seconds: number): string {
	if (!Number.isFinite(seconds) || seconds < 0) return "--";
	const s = Math.round(seconds);
	if (s < 60) return `${s}s`;
	if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
	return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** "100", "5MiB", "2.5 GB" (1000s) or "2.5GiB" (1024s) -> bytes. */
export function parseSize(text: string): number {
	const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?)b?\s*$/i.exec(text);
	if (!m) throw new Error(`not a size: ${text} (examples: 500, 20MiB, 1.5GB)`);
	const power = " kmgt".indexOf((m[2] || " ").toLowerCase());
	const base = m[3] || !m[2] ? 1024 : 1000;
	return Math.round(Number(m[1]) * base ** power);
}

/** An ISO timestamp, or a duration from now ("30m", "12h", "7d") -> ISO timestamp. */
export function parseExpiry(text: string, now = Date.now()): string {
	const m = /^(\d+)([mhd])$/.exec(text.trim());
	if (m) {
		const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "m" | "h" | "d"];
		return new Date(now + Number(m[1]) * unit).toISOString();
	}
	const t = Date.parse(text);
	if (Number.isNaN(t)) throw new Error(`not a time: ${text} (an ISO timestamp, or 30m, 12h, 7d)`);
	return new Date(t).toISOString();
}

/** Left-aligned columns, two spaces apart; cells are cut at `max` characters. */
export function table(header: string[], rows: string[][], max = 48): string {
	const cut = (s: string) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
	const all = [header, ...rows].map((r) => r.map(cut));
	const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
	return all
		.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  "))
		.join("\n");
}
