/**
 * "Download all" against the real `wrangler dev` (local R2 on disk): links
 * with 0, 1 and 300 finalized files, uploaded with the typed
 * `UploaderClient` in parallel; each ZIP is downloaded to a temp file and
 * checked with the real `unzip -t`, `unzip -l` and `zipinfo`, then extracted,
 * and every file's sha256 compared with its source. Names are unique (also
 * ignoring case) and are the safe forms of the uploaded names.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type OwnerClient, UploaderClient } from "../../src/client/index.ts";
import { zipEntryName, zipEntryNames, zipNameKey } from "../../src/domain/zip.ts";
import { mapLimit } from "../../src/lib/limit.ts";
import { bytes, owner, service, sha256 } from "./helpers.ts";

const work = mkdtempSync(join(tmpdir(), "zip-e2e-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** UTF-8 names survive unzip only in a UTF-8 locale. */
const UNZIP_ENV = { ...process.env, LANG: "C.UTF-8", LC_ALL: "C.UTF-8" };

interface Source {
	name: string;
	data: Buffer;
}

/**
 * A link of `files` (small: each one PUT), uploaded `parallel` at a time
 * with the typed client's steps: init, PUT, finalize for every file, then
 * each finalize command waited for (the DO drains every pending finalize at
 * once, where waiting file by file would take a queue batch each).
 * Answers the link's id and each file's id → source.
 */
async function linkWith(api: OwnerClient, files: Source[], parallel = 16) {
	const { base } = service();
	const { link, uploadUrl } = await api.createLink({
		title: `zip e2e ${files.length}`,
		maxFiles: null,
	});
	const uploader = new UploaderClient(uploadUrl, { baseUrl: base, pollMs: 100 });
	const sent = await mapLimit(files, parallel, async (f) => {
		const { session, upload } = await uploader.init(f.data.byteLength, {
			name: f.name,
			type: "application/octet-stream",
		});
		expect(upload.mode).toBe("single");
		await uploader.putSingle(session, f.data);
		return { f, session, accepted: await uploader.finalize(session) };
	});
	const byFileId = new Map<string, Source>();
	await mapLimit(sent, parallel, async ({ f, session, accepted }) => {
		const command = await uploader.waitForCommand(accepted.command.id, accepted.retryToken);
		expect(command.status).toBe("succeeded");
		byFileId.set((await uploader.status(session)).fileId ?? "", f);
	});
	return { linkId: link.id, byFileId };
}

/** Streams the link's ZIP to a file; answers its path and the response headers. */
async function downloadTo(api: OwnerClient, linkId: string, label: string) {
	const res = await api.downloadZip(linkId);
	const file = join(work, `${label}.zip`);
	writeFileSync(file, new Uint8Array(await res.arrayBuffer()));
	return { file, headers: res.headers };
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const run = (cmd: string, args: string[]) =>
	spawnSync(cmd, args, { env: UNZIP_ENV, encoding: "utf8" });

/** Every regular file under `dir` (no folders may appear: names have no separators). */
function extracted(dir: string): string[] {
	return readdirSync(dir).filter((n) => statSync(join(dir, n)).isFile());
}

/** The names the archive must carry: the files oldest first, as the listing orders them. */
async function expectedNames(api: OwnerClient, linkId: string) {
	const listing = await api.all((page) => api.listFiles(linkId, page));
	const oldestFirst = [...listing].reverse();
	const names = zipEntryNames(oldestFirst.map((f) => f.name));
	return oldestFirst.map((f, i) => ({ id: f.id, stored: f.name, name: names[i] as string }));
}

async function checkArchive(api: OwnerClient, linkId: string, byFileId: Map<string, Source>) {
	const label = `link-${byFileId.size}`;
	const { file, headers } = await downloadTo(api, linkId, label);
	expect(headers.get("content-type")).toBe("application/zip");
	expect(Number(headers.get("content-length"))).toBe(statSync(file).size);

	const test = run("unzip", ["-t", file]);
	expect(test.stdout).toContain("No errors detected in compressed data");
	expect(test.status).toBe(0);
	const listed = run("zipinfo", ["-1", file]).stdout.split("\n").filter(Boolean);
	const expected = await expectedNames(api, linkId);
	expect(listed).toEqual(expected.map((e) => e.name));
	expect(new Set(listed.map(zipNameKey)).size).toBe(listed.length);
	const total = run("unzip", ["-l", file]).stdout.trim().split("\n").at(-1) ?? "";
	expect(total).toMatch(new RegExp(`\\s${byFileId.size} files?$`));

	const dir = join(work, label);
	execFileSync("unzip", ["-q", file, "-d", dir], { env: UNZIP_ENV });
	expect(extracted(dir).sort()).toEqual(expected.map((e) => e.name).sort());
	for (const { id, stored, name } of expected) {
		const source = byFileId.get(id);
		expect(source, `file ${id}`).toBeDefined();
		expect(sha256(readFileSync(join(dir, name)))).toBe(sha256(source?.data ?? Buffer.alloc(0)));
		// Its stored name made safe, numbered when an older file took that name.
		const safe = zipEntryName(stored);
		const dot = safe.lastIndexOf(".");
		const numbered = new RegExp(
			`^${escapeRe(dot > 0 ? safe.slice(0, dot) : safe)} \\(\\d+\\)${escapeRe(dot > 0 ? safe.slice(dot) : "")}$`,
		);
		expect(name === safe || numbered.test(name), `${name} from ${stored}`).toBe(true);
	}
}

describe("download all as a ZIP against wrangler dev", () => {
	it("a link with no file is an empty archive unzip accepts", async () => {
		const api = await owner();
		const { linkId } = await linkWith(api, []);
		const { file, headers } = await downloadTo(api, linkId, "empty");
		expect(headers.get("content-length")).toBe("22");
		const test = run("unzip", ["-t", file]);
		// unzip's word for a valid archive with no entries (exit status 1 is its warning).
		expect(`${test.stdout}${test.stderr}`).toContain("zipfile is empty");
		expect(test.status).toBe(1);
		expect(readFileSync(file).readUInt32LE(0)).toBe(0x06054b50);
	});

	it("a link with one file", async () => {
		const api = await owner();
		const { linkId, byFileId } = await linkWith(api, [{ name: "résumé.pdf", data: bytes(5000) }]);
		await checkArchive(api, linkId, byFileId);
	});

	it("a link with 300 files: hostile and duplicate names made safe and unique, every byte exact", async () => {
		const api = await owner();
		const odd = [
			"report.pdf",
			"REPORT.pdf",
			"../up.txt",
			"CON.txt",
			".hidden",
			"a:b?.txt",
			"日本.txt",
		];
		const files: Source[] = Array.from({ length: 300 }, (_, i) => ({
			name: i % 3 === 0 ? (odd[i % odd.length] as string) : `file-${i}.bin`,
			data: bytes(1 + ((i * 997) % 4096)),
		}));
		const { linkId, byFileId } = await linkWith(api, files, 16);
		expect(byFileId.size).toBe(300);
		await checkArchive(api, linkId, byFileId);
	});
});
