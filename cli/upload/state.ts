/**
 * The resume state of `upload`: per local file (path, size, mtime) the
 * Idempotency-Key of its init and the Upload-Token this client chose for it
 * (a replay of the init gets its session back only with that token), and,
 * once answered, its upload id. The tokens are secrets, so the file is mode 0600 in a 0700
 * folder. A rerun continues each file from the service's ledger; the entry
 * of a file that is done is dropped, and the file is removed when empty.
 */
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { initIdempotency, type Session } from "../../src/client/index.ts";
import type { LocalFile } from "./files.ts";

export interface FileEntry {
	size: number;
	mtimeMs: number;
	/** Sent with the init, so an init whose answer was lost gets the same upload back. */
	idempotencyKey: string;
	/** The Upload-Token chosen for the init (sent with it); entries written before have none. */
	uploadToken?: string;
	session?: Session;
}

interface StateDoc {
	version: 1;
	linkId: string;
	files: Record<string, FileEntry>;
}

/** `$XDG_STATE_HOME/receive-links/<linkId>.json` (default `~/.local/state/...`). */
export function defaultStatePath(linkId: string): string {
	const base = process.env.XDG_STATE_HOME || join(homedir(), ".local", "state");
	return join(base, "receive-links", `${linkId.replace(/[^A-Za-z0-9_-]/g, "_")}.json`);
}

export class StateStore {
	readonly path: string;
	private doc: StateDoc;

	private constructor(path: string, doc: StateDoc) {
		this.path = path;
		this.doc = doc;
	}

	/** Reads the state of `linkId` at `path` (a missing, unreadable or other link's file starts empty). */
	static async open(path: string, linkId: string): Promise<StateStore> {
		let doc: StateDoc = { version: 1, linkId, files: {} };
		try {
			const read = JSON.parse(await readFile(path, "utf8")) as StateDoc;
			if (read.version === 1 && read.linkId === linkId && typeof read.files === "object")
				doc = read;
		} catch {
			// none yet, or not ours: start afresh
		}
		return new StateStore(path, doc);
	}

	/** The entry of `file` if it is the same file (size and mtime) as before. */
	get(file: LocalFile): FileEntry | undefined {
		const e = this.doc.files[file.path];
		return e && e.size === file.size && e.mtimeMs === file.mtimeMs ? e : undefined;
	}

	/** A fresh entry (new Idempotency-Key and Upload-Token, no session) for `file`, saved. */
	async fresh(file: LocalFile): Promise<FileEntry> {
		const entry = { size: file.size, mtimeMs: file.mtimeMs, ...initIdempotency() };
		this.doc.files[file.path] = entry;
		await this.save();
		return entry;
	}

	async setSession(file: LocalFile, session: Session): Promise<void> {
		const e = this.doc.files[file.path];
		if (e) e.session = session;
		await this.save();
	}

	async done(file: LocalFile): Promise<void> {
		delete this.doc.files[file.path];
		await this.save();
	}

	/** Forgets every file (the state file is removed). */
	async clear(): Promise<void> {
		this.doc.files = {};
		await this.save();
	}

	get empty(): boolean {
		return Object.keys(this.doc.files).length === 0;
	}

	/** Written whole to a temporary file and renamed, so an interrupt never leaves half a file. */
	private async save(): Promise<void> {
		if (this.empty) {
			await rm(this.path, { force: true });
			return;
		}
		await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
		const tmp = `${this.path}.${process.pid}.tmp`;
		await writeFile(tmp, `${JSON.stringify(this.doc, null, "\t")}\n`, { mode: 0o600 });
		await rename(tmp, this.path);
	}
}
