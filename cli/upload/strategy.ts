/**
 * How one file is sent: the per-file upload strategy. A file up to one part
 * size (8 MiB) goes in one request (`UploaderClient.uploadSmall`, with an
 * Idempotency-Key saved in the state file first, so a rerun after a lost
 * answer replays the same upload instead of storing it twice). A larger one
 * picks up the session the state
 * file remembers when the service still has it open, else starts one with a
 * remembered Idempotency-Key, then lets `UploaderClient.resume` send only the
 * parts the service's ledger lacks, complete and finalize.
 */
import {
	type CommandView,
	type FileMeta,
	ReceiveLinkError,
	type Session,
	SMALL_UPLOAD_MAX_BYTES,
	type UploaderClient,
	type UploadView,
} from "../../src/client/index.ts";
import { fileBlob } from "./disk-blob.ts";
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
	const blob = await fileBlob(file.path, file.size);
	if (blob.size !== file.size) throw new Error(`${file.path} changed size while being read`);
	if (file.size <= SMALL_UPLOAD_MAX_BYTES && !state.get(file)?.session) {
		const small = await uploadInOneRequest(client, file, blob, state, events, options);
		if (small) return small;
	}
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

/**
 * One request for the whole file (null when the service has no such route:
 * the caller falls back to init, PUT and finalize). A replay of a request
 * whose answer was lost answers the same upload and command, without a token.
 */
async function uploadInOneRequest(
	client: UploaderClient,
	file: LocalFile,
	blob: Blob,
	state: StateStore,
	events: FileEvents,
	options: StrategyOptions,
): Promise<FileOutcome | null> {
	const entry = state.get(file) ?? (await state.fresh(file));
	let accepted: Awaited<ReturnType<UploaderClient["uploadSmall"]>>;
	try {
		accepted = await client.uploadSmall(
			blob,
			{ name: file.name, type: file.type, ...options.meta },
			entry.idempotencyKey,
		);
	} catch (error) {
		if (error instanceof ReceiveLinkError && error.code === "not-found") return null;
		throw error;
	}
	const resumed = accepted.uploadToken === null;
	events.start({
		uploadId: accepted.upload.id,
		mode: "single",
		partCount: 1,
		partsStored: [],
		bytesStored: 0,
		resumed,
	});
	events.part({ partNumber: 1, size: file.size });
	const command = options.wait
		? await client.waitForCommand(accepted.command.id, accepted.retryToken)
		: accepted.command;
	// The file id exists once the finalize applied: read it with the session's token.
	const upload =
		options.wait && accepted.uploadToken
			? await client.status({ uploadId: accepted.upload.id, uploadToken: accepted.uploadToken })
			: accepted.upload;
	return { uploadId: accepted.upload.id, upload, command, resumed, partsSent: resumed ? [] : [1] };
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
	// A remembered key and token without a session: the last init's answer was
	// lost; replaying both gets the same session back.
	const fresh = entry && !entry.session && entry.uploadToken ? entry : await state.fresh(file);
	const { session } = await client.init(
		file.size,
		{ name: file.name, type: file.type, ...options.meta },
		{ idempotencyKey: fresh.idempotencyKey, uploadToken: fresh.uploadToken ?? "" },
	);
	await state.setSession(file, session);
	return { session, reused: false };
}
