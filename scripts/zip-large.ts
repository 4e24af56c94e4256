#!/usr/bin/env node
// "Download all" past 4 GiB (`npm run zip:large`): starts its own `wrangler
// dev` (state in .wrangler/zip-large-<pid>/, removed at the end), uploads
// one file of ZIP_LARGE_MIB MiB (default 4296 MiB = 4.2 GiB, more than a
// ZIP's 32-bit sizes hold) and a small one after it (its offset is past
// 4 GiB too) with the typed UploaderClient, downloads the link's ZIP to disk
// and checks it with the real `unzip -t`, looks for the ZIP64 records, and
// compares the big entry's sha256 (`unzip -p`) with its source. Prints the
// sizes, seconds and MiB/s of each step (ZIP_LARGE_PLAIN=1 adds a plain
// download of the big file, for comparison). Not part of CI: see docs/uploads.md.
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync, rmSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { DiskBlob } from "../cli/upload/disk-blob.ts";
import { UploaderClient } from "../src/client/index.ts";
import { OwnerClient } from "../src/client/owner.ts";
import { ensureDevVars, startWorker } from "./lib/dev-server.ts";

const MiB = 1024 * 1024;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SIZE = Number(process.env.ZIP_LARGE_MIB ?? 4296) * MiB;
const PORT = Number(process.env.E2E_PORT ?? 9210);
const dir = join(ROOT, ".wrangler", `zip-large-${process.pid}`);
const ENV = { ...process.env, LANG: "C.UTF-8", LC_ALL: "C.UTF-8" };

const seconds = (ms: number) => (ms / 1000).toFixed(1);
const rate = (bytes: number, ms: number) => (bytes / MiB / (ms / 1000)).toFixed(1);
const figures: [string, string][] = [];
function report(step: string, bytes: number, ms: number) {
	figures.push([
		step,
		`${(bytes / MiB).toFixed(0)} MiB in ${seconds(ms)} s (${rate(bytes, ms)} MiB/s)`,
	]);
	console.log(`zip:large: ${step}: ${figures.at(-1)?.[1]}`);
}
async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
	const t = performance.now();
	const value = await fn();
	return [value, performance.now() - t];
}

/**
 * `size` bytes to `file`: one random 8 MiB block, each 1 MiB of every copy
 * stamped with its index (so swapped or repeated parts change the hash).
 * Answers the sha256.
 */
async function writeSource(file: string, size: number): Promise<string> {
	const block = randomBytes(8 * MiB);
	const hash = createHash("sha256");
	const out = createWriteStream(file);
	for (let at = 0; at < size; at += block.length) {
		const chunk = Buffer.from(block.subarray(0, Math.min(block.length, size - at)));
		for (let m = 0; m < chunk.length; m += MiB) chunk.writeDoubleLE((at + m) / MiB, m);
		hash.update(chunk);
		if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
	}
	await new Promise<void>((resolve, reject) =>
		out.end((e?: Error | null) => (e ? reject(e) : resolve())),
	);
	return hash.digest("hex");
}

/** The sha256 of what a child process writes (`unzip -p`). */
function sha256Of(cmd: string, args: string[]): Promise<string> {
	return new Promise((resolve, reject) => {
		const child = spawn(cmd, args, { env: ENV, stdio: ["ignore", "pipe", "inherit"] });
		const hash = createHash("sha256");
		child.stdout.on("data", (d: Buffer) => hash.update(d));
		child.on("error", reject);
		child.on("close", (code) =>
			code === 0 ? resolve(hash.digest("hex")) : reject(new Error(`${cmd} exited ${code}`)),
		);
	});
}

/** The ZIP64 end-of-central-directory record and its locator, read from the file's tail. */
async function zip64Records(file: string): Promise<boolean> {
	const handle = await open(file, "r");
	try {
		const size = statSync(file).size;
		const tail = Buffer.alloc(22 + 20 + 56);
		await handle.read(tail, 0, tail.length, size - tail.length);
		return tail.readUInt32LE(0) === 0x06064b50 && tail.readUInt32LE(56) === 0x07064b50;
	} finally {
		await handle.close();
	}
}

async function main(): Promise<number> {
	mkdirSync(dir, { recursive: true });
	const vars = ensureDevVars(ROOT, "zip:large");
	const server = await startWorker({
		root: ROOT,
		name: "zip:large",
		config: join(ROOT, "wrangler.toml"),
		snapshot: { buildDir: join(dir, "build"), entry: "index.js" },
		persistDir: join(dir, "state"),
		port: PORT,
		findFree: true,
		logFile: join(dir, "wrangler.log"),
		migrate: true,
		readyTimeoutMs: 120_000,
		ready: async (base) => {
			const res = await fetch(`${base}/api/links`, { signal: AbortSignal.timeout(2000) });
			await res.arrayBuffer();
			return res.status === 401;
		},
	});
	try {
		const admin = new OwnerClient(server.baseUrl, { adminToken: vars.ADMIN_TOKEN ?? "" });
		const created = await admin.createOwner("zip:large");
		const api = admin.as({ apiKey: created.apiKey });
		const { link, uploadUrl } = await api.createLink({ title: "zip large", maxFileBytes: SIZE });

		const source = join(dir, "big.bin");
		const [sourceSha, writeMs] = await timed(() => writeSource(source, SIZE));
		report("source file written", SIZE, writeMs);

		const uploader = new UploaderClient(uploadUrl, { baseUrl: server.baseUrl, concurrency: 4 });
		const [big, uploadMs] = await timed(async () =>
			uploader.upload(new DiskBlob(source, SIZE), { name: "big.bin" }),
		);
		if (big.command.status !== "succeeded") throw new Error(`finalize: ${big.command.status}`);
		report("upload (multipart, 4 parts in flight, finalize)", SIZE, uploadMs);
		const indexed = (await api.listFiles(link.id)).items[0];
		const plain = await api.downloadFileResponse(big.upload.fileId ?? "", { Range: "bytes=0-0" });
		await plain.arrayBuffer();
		console.log(
			`zip:large: sizes: source ${SIZE}, upload ${big.upload.size}, D1 index ${indexed?.size}, single download Content-Range ${plain.headers.get("content-range")}`,
		);
		const small = new TextEncoder().encode("after the big one\n");
		await uploader.upload(small, { name: "after.txt" });
		rmSync(source);

		if (process.env.ZIP_LARGE_PLAIN) {
			// The same bytes as one plain download, for comparison.
			const [, plainMs] = await timed(async () => {
				const res = await api.downloadFileResponse(big.upload.fileId ?? "");
				await pipeline(Readable.fromWeb(res.body as never), createWriteStream("/dev/null"));
			});
			report("plain download of big.bin (GET /api/files/:id/content)", SIZE, plainMs);
		}

		const zip = join(dir, "all.zip");
		const [length, downloadMs] = await timed(async () => {
			const res = await api.downloadZip(link.id);
			await pipeline(Readable.fromWeb(res.body as never), createWriteStream(zip));
			return Number(res.headers.get("content-length"));
		});
		const written = statSync(zip).size;
		report("ZIP download to disk", written, downloadMs);
		if (written !== length) throw new Error(`ZIP has ${written} bytes, Content-Length ${length}`);

		const [test, testMs] = await timed(async () =>
			spawnSync("unzip", ["-t", zip], { env: ENV, encoding: "utf8" }),
		);
		report("unzip -t", written, testMs);
		const verdict = test.stdout.trim().split("\n").at(-1) ?? "";
		const zip64 = await zip64Records(zip);
		const listing = spawnSync("unzip", ["-l", zip], { env: ENV, encoding: "utf8" }).stdout;
		const [zipSha, shaMs] = await timed(() => sha256Of("unzip", ["-p", zip, "big.bin"]));
		report("unzip -p big.bin | sha256", SIZE, shaMs);

		console.log(
			`\nzip:large: ${SIZE} bytes source (${(SIZE / 1024 ** 3).toFixed(2)} GiB) + ${small.length} bytes`,
		);
		console.log(`zip:large: ZIP ${written} bytes = Content-Length ${length}`);
		console.log(`zip:large: unzip -t: ${verdict} (exit ${test.status})`);
		console.log(
			`zip:large: ZIP64 end of central directory + locator: ${zip64 ? "present" : "ABSENT"}`,
		);
		console.log(`zip:large: unzip -l:\n${listing}`);
		console.log(`zip:large: sha256 source ${sourceSha}\nzip:large: sha256 in ZIP ${zipSha}`);
		for (const [step, figure] of figures) console.log(`| ${step} | ${figure} |`);
		const ok = test.status === 0 && zip64 && zipSha === sourceSha;
		console.log(`zip:large: ${ok ? "OK" : "FAILED"}`);
		return ok ? 0 : 1;
	} finally {
		await server.stop();
		if (!process.env.ZIP_LARGE_KEEP) rmSync(dir, { recursive: true, force: true });
	}
}

process.exitCode = await main();
