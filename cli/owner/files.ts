/** `receive-links files list|download`: a link's finalized files, fetched to local files. */
import { createWriteStream } from "node:fs";
import { mkdir, rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { Command } from "commander";
import { type FileView, problemOf } from "../../src/client/index.ts";
import { formatBytes } from "../../src/client/vocabulary.ts";
import { CliError, EXIT } from "../exit.ts";
import { table } from "../format.ts";
import { ownerClient, print } from "./env.ts";

/**
 * A local file name from an uploaded name: no folders (`/`, `\`), no control
 * characters, no leading dots, not empty, at most 200 characters.
 */
export function safeName(name: string): string {
	const last = name.split(/[/\\]/).filter(Boolean).pop() ?? "";
	const clean = Array.from(last, (c) =>
		c < " " || c === "\u007f" || '<>:"|?*'.includes(c) ? "_" : c,
	)
		.join("")
		.replace(/^[.\s]+/, "")
		.trim();
	return (clean || "file").slice(0, 200);
}

/** `name`, else `name (2).ext`, `name (3).ext`... : a name neither on disk nor taken in this run. */
async function freeName(dir: string, name: string, taken: Set<string>): Promise<string> {
	const dot = name.lastIndexOf(".");
	const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
	for (let n = 1; ; n++) {
		const candidate = n === 1 ? name : `${stem} (${n})${ext}`;
		if (taken.has(candidate)) continue;
		if (await stat(join(dir, candidate)).catch(() => null)) continue;
		taken.add(candidate);
		return candidate;
	}
}

/** Streams a response body to `path`, never over an existing file (`wx`); removes it on failure. */
async function save(res: Response, path: string): Promise<number> {
	if (!res.ok) throw await problemOf(res);
	if (!res.body) throw new Error("empty answer");
	let bytes = 0;
	const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
	body.on("data", (chunk: Buffer) => {
		bytes += chunk.length;
	});
	try {
		await pipeline(body, createWriteStream(path, { flags: "wx", mode: 0o600 }));
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === "EEXIST")
			throw new CliError(`${path} exists; not overwritten`, EXIT.failure);
		await rm(path, { force: true });
		throw error;
	}
	return bytes;
}

interface DownloadOptions {
	all?: boolean;
	out: string;
	zip?: string;
	json?: boolean;
}

export function registerFiles(
	program: Command,
	run: (fn: () => Promise<unknown>) => Promise<void>,
) {
	const files = program
		.command("files")
		.description("a link's files (needs RECEIVE_LINKS_API_KEY)");

	files
		.command("list <linkId>")
		.description("list the link's finalized files, newest first")
		.option("--json", "print JSON")
		.action((linkId: string, o: { json?: boolean }) =>
			run(async () => {
				const client = ownerClient();
				const items = await client.all((page) => client.listFiles(linkId, page));
				print(o.json, { items }, () =>
					items.length === 0
						? "no files"
						: table(
								["ID", "SIZE", "TYPE", "UPLOADER", "CREATED", "NAME"],
								items.map((f) => [
									f.id,
									formatBytes(f.size, "column"),
									f.type,
									f.uploaderName ?? f.uploaderEmail ?? "",
									f.createdAt.slice(0, 16).replace("T", " "),
									f.name,
								]),
							),
				);
			}),
		);

	files
		.command("download <linkId> [fileIds...]")
		.description("download files by id, --all of them, or --zip one ZIP of all")
		.option("--all", "every finalized file of the link")
		.option("--out <dir>", "folder to write into (created if missing)", ".")
		.option("--zip <file>", "one ZIP of every file (GET /api/links/:linkId/files.zip)")
		.option("--json", "print what was written as JSON")
		.action((linkId: string, ids: string[], o: DownloadOptions) =>
			run(async () => {
				const client = ownerClient();
				if (o.zip) {
					const path = resolve(o.zip);
					const bytes = await save(await client.downloadZipResponse(linkId), path);
					return print(
						o.json,
						{ zip: path, bytes },
						() => `${path} (${formatBytes(bytes, "column")})`,
					);
				}
				if (!o.all && ids.length === 0)
					throw new CliError("name file ids, or --all, or --zip <file>", EXIT.usage);
				const every = await client.all((page) => client.listFiles(linkId, page));
				let chosen: FileView[] = every;
				if (!o.all) {
					const byId = new Map(every.map((f) => [f.id, f]));
					const missing = ids.filter((id) => !byId.has(id));
					if (missing.length > 0)
						throw new CliError(
							`no such file in link ${linkId}: ${missing.join(", ")}`,
							EXIT.refused,
						);
					chosen = ids.map((id) => byId.get(id) as FileView);
				}
				const dir = resolve(o.out);
				await mkdir(dir, { recursive: true });
				const taken = new Set<string>();
				const written: { id: string; name: string; path: string; bytes: number }[] = [];
				for (const f of chosen) {
					const path = join(dir, await freeName(dir, safeName(f.name), taken));
					const bytes = await save(await client.downloadFileResponse(f.id), path);
					if (bytes !== f.size)
						throw new CliError(`${path}: got ${bytes} bytes, expected ${f.size}`, EXIT.failure);
					written.push({ id: f.id, name: f.name, path, bytes });
					if (!o.json) process.stdout.write(`${path} (${formatBytes(bytes, "column")})\n`);
				}
				if (o.json) print(true, { files: written }, () => "");
				else if (written.length === 0) process.stdout.write("no files\n");
			}),
		);
}
