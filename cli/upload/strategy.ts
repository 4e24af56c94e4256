/**
 * How one file is sent: the per-file upload strategy, one function so it
 * can be switched (for example to a one-request upload of small files)
 * without touching the command around it. It picks up the session the state
 * file remembers when the service still has it open, else starts one with a
 * remembered Idempotency-Key, then lets `UploaderClient.resume` send only the
 * parts the service's ledger lacks, complete and finalize.
 */
import { openAsBlob } from "node:fs";
import {
	type CommandView,
	type FileMeta,
	ReceiveLinkError,
	type Session,
	type UploaderClient,
	type UploadView,
} from "../../src/client/index.ts";
import type { LocalFile } from "./files.ts";
import type { StateStore } from "./state.ts";

export interface FileStart {
	uploadId: string;
	mode: UploadView["mode"];
	partCount: number;
	/** Parts the service already held when this run started the file (a resumed upload). */
	partsStored: number[];
	bytesStored: number;
	resumed: boolean;
}

export interface FileEvents {
	start(info: FileStart): void;
	part(part: { partNumber: number; size: number }): void;
}

export interface FileOutcome {
	uploadId: string;
	upload: UploadView;
	command: CommandView;
	resumed: boolean;
	partsSent: number[];
}

export interface StrategyOptions {
	meta: Omit<FileMeta, "name" | "type">;
	/** Wait for the finalize command to be final. */
	wait: boolean;
}

/** Upload states from which a session can still reach the owner. */
const LIVE = new Set<UploadView["state"]>(["open", "completed", "finalized"]);

export async function uploadFile(
	client: UploaderClient,
	file: LocalFile,
	state: StateStore,
	events: FileEvents,
	options: StrategyOptions,
): Promise<FileOutcome> {
	const blob = await openAsBlob(file.path);
	if (blob.size !== file.size) throw new Error(`${file.path} changed size while being read`);
	const session = await sessionFor(client, file, state, options);
	const partsSent: number[] = [];
	let resumed = false;
	const result = await client.resume(session.session, blob, {
		wait: options.wait,
		onStatus: (upload) => {
			const stored = upload.parts.map((p) => p.partNumber).sort((a, b) => a - b);
			const bytesStored =
				upload.state === "open" ? upload.parts.reduce((n, p) => n + p.size, 0) : upload.size;
			resumed = session.reused && (bytesStored > 0 || upload.state !== "open");
			events.start({
				uploadId: upload.id,
				mode: upload.mode,
				partCount: upload.partCount,
				partsStored: upload.state === "open" ? stored : [],
				bytesStored,
				resumed,
			});
		},
		onPart: (part) => {
			partsSent.push(part.partNumber);
			events.part(part);
		},
	});
	return {
		uploadId: session.session.uploadId,
		upload: result.upload,
		command: result.command,
		resumed,
		partsSent,
	};
}

/** The remembered session if the service still has it live, else a new init (saved first). */
async function sessionFor(
	client: UploaderClient,
	file: LocalFile,
	state: StateStore,
	options: StrategyOptions,
): Promise<{ session: Session; reused: boolean }> {
	const entry = state.get(file);
	if (entry?.session) {
		try {
			const upload = await client.status(entry.session);
			if (LIVE.has(upload.state)) return { session: entry.session, reused: true };
		} catch (error) {
			// The service forgot or ended it (expired, aborted): start over below.
			const code = error instanceof ReceiveLinkError ? error.code : "";
			if (code !== "upload-not-found" && code !== "upload-aborted") throw error;
		}
	}
	// A remembered key without a session: the last init's answer was lost, replay it.
	const fresh = entry && !entry.session ? entry : await state.fresh(file);
	const { session } = await client.init(
		file.size,
		{ name: file.name, type: file.type, ...options.meta },
		fresh.idempotencyKey,
	);
	await state.setSession(file, session);
	return { session, reused: false };
}
