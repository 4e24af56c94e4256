// CPU time of a dev server's processes, read from /proc (Linux only).
import { readdirSync, readFileSync } from "node:fs";

/** CPU ms by role: wrangler's node process, workerd's proxy, the workerd runtime. */
export interface CpuByRole {
	wrangler: number;
	proxy: number;
	runtime: number;
}

export interface CpuDelta extends CpuByRole {
	total: number;
}

/**
 * CPU time (ms) of every process in process group `pgid`, by role: the
 * wrangler node process, workerd serving the Worker ("runtime", the one with
 * an inspector) and workerd's proxy in front of it ("proxy"). Null off Linux.
 */
export function cpuOfGroup(pgid: number): CpuByRole | null {
	const out: CpuByRole = { wrangler: 0, proxy: 0, runtime: 0 };
	let entries: string[];
	try {
		entries = readdirSync("/proc");
	} catch {
		return null;
	}
	for (const p of entries) {
		if (!/^\d+$/.test(p)) continue;
		try {
			const stat = readFileSync(`/proc/${p}/stat`, "utf8");
			const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
			if (Number(fields[2]) !== pgid) continue;
			const cmd = readFileSync(`/proc/${p}/cmdline`, "utf8");
			const role: keyof CpuByRole = cmd.includes("workerd")
				? cmd.includes("inspector-addr")
					? "runtime"
					: "proxy"
				: "wrangler";
			// utime + stime, in clock ticks (100 per second on Linux).
			out[role] += (Number(fields[11]) + Number(fields[12])) * 10;
		} catch {
			// the process ended
		}
	}
	return out;
}

/** CPU ms of a group between two cpuOfGroup() readings. */
export function cpuDelta(before: CpuByRole | null, after: CpuByRole | null): CpuDelta | null {
	if (!before || !after) return null;
	const wrangler = after.wrangler - before.wrangler;
	const proxy = after.proxy - before.proxy;
	const runtime = after.runtime - before.runtime;
	return { wrangler, proxy, runtime, total: wrangler + proxy + runtime };
}
