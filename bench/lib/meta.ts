// What a run records about itself: the machine, the code measured (commit and
// a digest of src/), the queue's batch timeout, the load average.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import type { Machine } from "./results.ts";

function sh(cmd: string, args: string[]): string | null {
	try {
		return execFileSync(cmd, args, { encoding: "utf8" }).trim();
	} catch {
		return null;
	}
}

function packageVersion(root: string, name: string): string | null {
	try {
		const pkg = JSON.parse(
			readFileSync(join(root, "node_modules", name, "package.json"), "utf8"),
		) as { version?: string };
		return pkg.version ?? null;
	} catch {
		return null;
	}
}

/**
 * The git directory of a checkout and the one holding its refs: `.git`, or
 * in a worktree the directory its `.git` file points to (refs live in the
 * main repository's, named by `commondir`).
 */
function gitDirs(root: string): { git: string; common: string } {
	const dotGit = join(root, ".git");
	if (statSync(dotGit).isDirectory()) return { git: dotGit, common: dotGit };
	const pointer = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, "utf8"))?.[1]?.trim();
	if (!pointer) throw new Error(".git is neither a directory nor a gitdir pointer");
	const git = resolve(root, pointer);
	const commondir = join(git, "commondir");
	const common = existsSync(commondir) ? resolve(git, readFileSync(commondir, "utf8").trim()) : git;
	return { git, common };
}

/** The commit checked out (read from .git, no git command). */
export function commitOf(root: string): string | null {
	try {
		const { git, common } = gitDirs(root);
		const head = readFileSync(join(git, "HEAD"), "utf8").trim();
		if (!head.startsWith("ref: ")) return head;
		const ref = head.slice(5);
		for (const dir of [git, common]) {
			const loose = join(dir, ref);
			if (existsSync(loose)) return readFileSync(loose, "utf8").trim();
		}
		const packed = readFileSync(join(common, "packed-refs"), "utf8");
		return (
			packed
				.split("\n")
				.find((l) => l.endsWith(` ${ref}`))
				?.split(" ")[0] ?? null
		);
	} catch {
		return null;
	}
}

/** SHA-256 over src/ (paths and contents): which code was measured, committed or not. */
export function srcDigest(root: string): string | null {
	const hash = createHash("sha256");
	const walk = (dir: string) => {
		for (const name of readdirSync(dir).sort()) {
			const path = join(dir, name);
			if (statSync(path).isDirectory()) walk(path);
			else hash.update(`${path.slice(root.length)}\0`).update(readFileSync(path));
		}
	};
	try {
		walk(join(root, "src"));
		return hash.digest("hex").slice(0, 16);
	} catch {
		return null;
	}
}

export const loadavg = (): number[] => os.loadavg().map((x) => Math.round(x * 100) / 100);

/** The machine and the versions of the tools in `root`'s node_modules. */
export function machine(root: string): Machine {
	const cpuinfo = existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : "";
	return {
		nproc: Number(sh("nproc", [])) || os.availableParallelism(),
		cpuModel: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? null,
		freeG: sh("free", ["-g"]),
		uname: sh("uname", ["-a"]),
		node: process.version,
		wrangler: packageVersion(root, "wrangler"),
		workerd: packageVersion(root, "workerd"),
		miniflare: packageVersion(root, "miniflare"),
	};
}

/** The link-commands consumer's max_batch_timeout (seconds) from the service's wrangler.toml. */
export function maxBatchTimeout(root: string): number | null {
	const toml = readFileSync(join(root, "wrangler.toml"), "utf8");
	for (const block of toml.split("[[queues.consumers]]").slice(1)) {
		if (/queue\s*=\s*"link-commands"/.test(block)) {
			const m = /max_batch_timeout\s*=\s*([\d.]+)/.exec(block);
			if (m) return Number(m[1]);
		}
	}
	return null;
}
