/** The local files an `upload` sends: file arguments as they are, folders walked in name order. */
import { lstat, readdir, stat } from "node:fs/promises";
import { basename, extname, join, relative, resolve } from "node:path";
import { CliError, EXIT } from "../exit.ts";

export interface LocalFile {
	/** Absolute path (the state file's key). */
	path: string;
	/** The name sent to the service: the base name, or `<folder>/<path inside it>` for a folder's files. */
	name: string;
	size: number;
	mtimeMs: number;
	type: string;
}

/** Expands the arguments; a missing path or one that is not a file or folder is a usage error. */
export async function collectFiles(args: string[], type?: string): Promise<LocalFile[]> {
	const files: LocalFile[] = [];
	const seen = new Set<string>();
	for (const arg of args) {
		const path = resolve(arg);
		const info = await stat(path).catch(() => null);
		if (!info) throw new CliError(`no such file or folder: ${arg}`, EXIT.usage);
		if (info.isDirectory()) {
			for (const file of await walk(path))
				add(files, seen, file, `${basename(path)}/${relative(path, file)}`, type);
		} else if (info.isFile()) add(files, seen, path, basename(path), type);
		else throw new CliError(`not a file or folder: ${arg}`, EXIT.usage);
	}
	const out: LocalFile[] = [];
	for (const f of files) {
		const s = await stat(f.path);
		out.push({ ...f, size: s.size, mtimeMs: Math.trunc(s.mtimeMs) });
	}
	if (out.length === 0) throw new CliError("no files to upload", EXIT.usage);
	return out;
}

function add(files: LocalFile[], seen: Set<string>, path: string, name: string, type?: string) {
	if (seen.has(path)) return;
	seen.add(path);
	files.push({ path, name, size: 0, mtimeMs: 0, type: type ?? guessType(path) });
}

/** Regular files under `dir`, depth first in name order; symbolic links are not followed. */
async function walk(dir: string): Promise<string[]> {
	const out: string[] = [];
	const entries = (await readdir(dir)).sort();
	for (const entry of entries) {
		const path = join(dir, entry);
		const info = await lstat(path);
		if (info.isDirectory()) out.push(...(await walk(path)));
		else if (info.isFile()) out.push(path);
	}
	return out;
}

const TYPES: Record<string, string> = {
	".pdf": "application/pdf",
	".zip": "application/zip",
	".json": "application/json",
	".txt": "text/plain",
	".md": "text/markdown",
	".csv": "text/csv",
	".html": "text/html",
	".png": "image/png",
	".jpg": "image/jpeg",
	".jpeg": "image/jpeg",
	".gif": "image/gif",
	".webp": "image/webp",
	".svg": "image/svg+xml",
	".heic": "image/heic",
	".mp3": "audio/mpeg",
	".wav": "audio/wav",
	".mp4": "video/mp4",
	".mov": "video/quicktime",
	".doc": "application/msword",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
};

/** The MIME type of common extensions (links may allow-list types); anything else is octet-stream. */
export function guessType(path: string): string {
	return TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
}
