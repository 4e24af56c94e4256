/**
 * A typed uploader client for receive links: the whole protocol (init,
 * parts with bounded parallelism, complete, finalize, poll). It waits out
 * `423` (paused, closing) with `Retry-After`, stops on `410`, and resumes an
 * interrupted upload from the server's ledger. Runs wherever `fetch` and
 * `Blob` exist (browsers, Node 18+, Workers).
 */
import { isFinal } from "../contract/enums.ts";
import { segment } from "./path.ts";
import type { ProblemBody } from "./problem.ts";
import { LinkGoneError, problemOf, ReceiveLinkError } from "./problem.ts";
import { SMALL_UPLOAD_MAX_BYTES, smallMetadata } from "./small.ts";
import type {
	CommandAccepted,
	CommandView,
	PublicLinkView,
	SmallUploadAccepted,
	UploadView,
} from "./types.ts";
import { watch } from "./watch.ts";

export * from "./owner.ts";
export type { ProblemBody } from "./problem.ts";
export { SMALL_UPLOAD_MAX_BYTES, type SmallMeta, smallMetadata } from "./small.ts";
export type * from "./types.ts";
export * from "./vocabulary.ts";
export * from "./watch.ts";
export { LinkGoneError, problemOf, ReceiveLinkError };

export interface ClientOptions {
	/** Overrides the upload URL's origin, e.g. to reach the service through another address. */
	baseUrl?: string;
	fetch?: (input: string, init?: RequestInit) => Promise<Response>;
	/** Parts in flight at once (default 4). */
	concurrency?: number;
	/** Give up waiting out 423/503 after this long (default 10 minutes). */
	maxWaitMs?: number;
	/** Poll interval cap for finalize status (default 2 s). */
	pollMs?: number;
	sleep?: (ms: number) => Promise<void>;
	/**
	 * Called before each wait on a 423 (paused, closing) or a retryable 503,
	 * with the problem and the wait, so a user interface can say why it stalls.
	 */
	onWait?: (problem: ProblemBody, waitMs: number) => void;
}

/** Options of `resume()`. */
export interface ResumeOptions {
	/** Called once the upload's status is read, before any byte is sent (the ledger as it stands). */
	onStatus?: (upload: UploadView) => void;
	/** Called after each part (or a single upload's body) the service recorded. */
	onPart?: (part: { partNumber: number; size: number }) => void;
	/** Wait for the finalize command to be final (default true); false: answer the accepted command. */
	wait?: boolean;
}

export interface FileMeta {
	name: string;
	type?: string;
	uploaderName?: string;
	uploaderEmail?: string;
	sha256?: string;
	password?: string;
}

export interface Session {
	uploadId: string;
	uploadToken: string;
}

/**
 * What makes an init safe to retry after a lost answer: an `Idempotency-Key`
 * and the Upload-Token the client chose for the session. A retry sends both
 * again and gets the same session; the server never hands the session's
 * token to a replay that does not present it (docs/uploads.md,
 * "Idempotency-Key on init"). Keep it until the init's answer arrived.
 */
export interface InitIdempotency {
	idempotencyKey: string;
	uploadToken: string;
}

/** A fresh key and Upload-Token (256 random bits, base64url) for one init and its retries. */
export function initIdempotency(): InitIdempotency {
	const bytes = crypto.getRandomValues(new Uint8Array(32));
	let binary = "";
	for (const b of bytes) binary += String.fromCharCode(b);
	const uploadToken = btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
	return { idempotencyKey: crypto.randomUUID(), uploadToken };
}

export interface UploadResult {
	session: Session;
	upload: UploadView;
	command: CommandView;
}

/** The first wait between command polls; they double up to `min(pollMs, Retry-After)`. */
const QUICK_POLL_MS = 50;

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Splits an upload URL (`<origin>/r/<linkId>#<secret>`) into the link's base
 * URL (no secret) and the secret, which is only ever sent as `Link-Secret`.
 */
export function parseUploadUrl(uploadUrl: string): {
	origin: string;
	linkId: string;
	secret: string;
} {
	let url: URL;
	try {
		url = new URL(uploadUrl);
	} catch {
		throw new Error("Not an upload URL: expected <origin>/r/<linkId>#<secret>");
	}
	const m = /^\/r\/([^/]+)\/?$/.exec(url.pathname);
	const secret = url.hash.slice(1);
	if (!m?.[1] || !secret)
		throw new Error(
			"Not an upload URL: expected <origin>/r/<linkId>#<secret> (is the part after # missing?)",
		);
	return { origin: url.origin, linkId: decodeURIComponent(m[1]), secret };
}

export class UploaderClient {
	private readonly base: string;
	private readonly secret: string;
	private readonly doFetch: (input: string, init?: RequestInit) => Promise<Response>;
	private readonly concurrency: number;
	private readonly maxWaitMs: number;
	private readonly pollMs: number;
	private readonly sleep: (ms: number) => Promise<void>;
	private readonly onWait: ((problem: ProblemBody, waitMs: number) => void) | undefined;

	/** `uploadUrl` is the link's upload URL, secret fragment included (`…/r/<linkId>#<secret>`). */
	constructor(uploadUrl: string, options: ClientOptions = {}) {
		const { origin, linkId, secret } = parseUploadUrl(uploadUrl);
		this.base = `${(options.baseUrl ?? origin).replace(/\/$/, "")}/r/${segment(linkId)}`;
		this.secret = secret;
		this.doFetch = options.fetch ?? ((input, init) => fetch(input, init));
		this.concurrency = Math.max(1, options.concurrency ?? 4);
		this.maxWaitMs = options.maxWaitMs ?? 10 * 60 * 1000;
		this.pollMs = options.pollMs ?? 2_000;
		this.sleep = options.sleep ?? defaultSleep;
		this.onWait = options.onWait;
	}

	async info(): Promise<PublicLinkView> {
		return (await this.json<{ link: PublicLinkView }>("GET", "")).link;
	}

	/**
	 * Starts an upload; the server picks single or multipart and the part size.
	 * With `idempotency` (from `initIdempotency()`), calling `init` again with
	 * the same arguments after a lost answer returns the same session.
	 */
	async init(
		size: number,
		meta: FileMeta,
		idempotency?: InitIdempotency,
	): Promise<{ session: Session; upload: UploadView }> {
		const body = { size, type: meta.type ?? "application/octet-stream", ...meta };
		const headers: Record<string, string> = { "Content-Type": "application/json" };
		if (idempotency) {
			headers["Idempotency-Key"] = idempotency.idempotencyKey;
			headers["Upload-Token"] = idempotency.uploadToken;
		}
		const r = await this.json<{ upload: UploadView; uploadToken: string }>("POST", "/uploads", {
			headers,
			body: JSON.stringify(body),
		});
		return { session: { uploadId: r.upload.id, uploadToken: r.uploadToken }, upload: r.upload };
	}

	/**
	 * The whole protocol for one file: a file of at most one part size in one
	 * request (`uploadSmall`), a larger one with init, parts, complete and
	 * finalize; then the finalize command is waited for.
	 */
	async upload(data: Blob | Uint8Array, meta: FileMeta): Promise<UploadResult> {
		const blob = toBlob(data);
		if (blob.size <= SMALL_UPLOAD_MAX_BYTES) {
			const small = await this.uploadSmallOrNull(blob, meta);
			if (small) return small;
		}
		const { session } = await this.init(blob.size, meta);
		return this.resume(session, blob);
	}

	/**
	 * One request for a whole small file (at most `SMALL_UPLOAD_MAX_BYTES`):
	 * the body and its metadata; answers the accepted finalize command (poll it
	 * with `waitForCommand`). Waits out 423 like every call. With an
	 * `idempotencyKey`, a repeat (after a lost answer) returns the first
	 * request's command without storing the file again, and no `uploadToken`.
	 */
	async uploadSmall(
		data: Blob | Uint8Array,
		meta: FileMeta,
		idempotencyKey?: string,
	): Promise<SmallUploadAccepted> {
		const headers: Record<string, string> = { "Upload-Metadata": smallMetadata(meta) };
		if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
		return this.json("POST", "/files", { headers, body: toBlob(data) });
	}

	/** `uploadSmall`, its finalize waited for; null when the service has no one-request route. */
	private async uploadSmallOrNull(blob: Blob, meta: FileMeta): Promise<UploadResult | null> {
		let accepted: SmallUploadAccepted;
		try {
			accepted = await this.uploadSmall(blob, meta);
		} catch (error) {
			// An older service (no such route): the three-request protocol does the same.
			if (error instanceof ReceiveLinkError && error.code === "not-found") return null;
			throw error;
		}
		const session = { uploadId: accepted.upload.id, uploadToken: accepted.uploadToken ?? "" };
		const command = await this.waitForCommand(accepted.command.id, accepted.retryToken);
		return { session, upload: await this.status(session), command };
	}

	/**
	 * Sends whatever the server's ledger lacks, completes, finalizes and waits
	 * for the finalize command to reach a final status (unless `options.wait`
	 * is false). Safe to call again after any interruption.
	 */
	async resume(
		session: Session,
		data: Blob | Uint8Array,
		options: ResumeOptions = {},
	): Promise<UploadResult> {
		const blob = toBlob(data);
		let upload = await this.status(session);
		options.onStatus?.(upload);
		if (upload.state === "open") {
			if (upload.mode === "single") {
				upload = await this.putSingle(session, blob);
				options.onPart?.({ partNumber: 1, size: blob.size });
			} else {
				await this.sendParts(session, upload, blob, options.onPart);
				upload = await this.complete(session);
			}
		}
		const accepted = await this.finalize(session);
		if (options.wait === false) return { session, upload, command: accepted.command };
		const command = await this.waitForCommand(accepted.command.id, accepted.retryToken);
		upload = await this.status(session);
		return { session, upload, command };
	}

	async status(session: Session): Promise<UploadView> {
		return (
			await this.json<{ upload: UploadView }>("GET", this.path(session), {
				headers: this.auth(session),
			})
		).upload;
	}

	async abort(session: Session): Promise<void> {
		await this.send("DELETE", this.path(session), { headers: this.auth(session) });
	}

	/** Sends a single upload's whole body. */
	async putSingle(session: Session, data: Blob | Uint8Array): Promise<UploadView> {
		const body = toBlob(data);
		return (
			await this.json<{ upload: UploadView }>("PUT", this.path(session), {
				headers: this.auth(session),
				body,
			})
		).upload;
	}

	/** Sends part `n` of a multipart upload: its slice of `data` (the whole file). */
	async putPart(
		session: Session,
		upload: UploadView,
		data: Blob | Uint8Array,
		n: number,
	): Promise<void> {
		const blob = toBlob(data);
		const partSize = upload.partSize ?? blob.size;
		const start = (n - 1) * partSize;
		await this.send("PUT", `${this.path(session)}/parts/${n}`, {
			headers: this.auth(session),
			body: blob.slice(start, Math.min(start + partSize, blob.size)),
		});
	}

	/** Completes a multipart upload once every part is stored. */
	async complete(session: Session): Promise<UploadView> {
		return (
			await this.json<{ upload: UploadView }>("POST", `${this.path(session)}/complete`, {
				headers: this.auth(session),
			})
		).upload;
	}

	async finalize(session: Session): Promise<CommandAccepted> {
		return this.json("POST", `${this.path(session)}/finalize`, { headers: this.auth(session) });
	}

	/**
	 * Polls a command with its Retry-Token until it is final (succeeded,
	 * rejected, cancelled): `watch()` from 50 ms, doubling up to
	 * min(`pollMs`, Retry-After). A problem (404, 410, 403) is thrown.
	 */
	async waitForCommand(commandId: string, retryToken: string | null): Promise<CommandView> {
		if (!retryToken)
			throw new Error("The service issued no Retry-Token (RETRY_TOKEN_SECRET unset)");
		const url = `${this.origin()}/api/commands/${segment(commandId)}`;
		const end = await watch<CommandView>({
			request: () => this.doFetch(url, { headers: { "Retry-Token": retryToken } }),
			read: async (res) => ((await res.json()) as { command: CommandView }).command,
			done: (command) => isFinal(command.status),
			// Commands usually apply within tens of milliseconds (docs/commands.md, "Latency").
			backoff: { firstMs: QUICK_POLL_MS, capMs: this.pollMs },
			timeoutMs: this.maxWaitMs,
			sleep: this.sleep,
		});
		if (end.kind === "gone") throw await problemOf(end.response);
		if (end.kind === "timeout")
			throw new Error(`command ${commandId} still ${end.state?.status} after ${this.maxWaitMs} ms`);
		return end.state;
	}

	// --- internals ---

	private async sendParts(
		session: Session,
		upload: UploadView,
		blob: Blob,
		onPart?: ResumeOptions["onPart"],
	): Promise<void> {
		const have = new Set(upload.parts.map((p) => p.partNumber));
		const todo: number[] = [];
		for (let n = 1; n <= upload.partCount; n++) if (!have.has(n)) todo.push(n);
		let next = 0;
		const worker = async () => {
			while (next < todo.length) {
				const n = todo[next++] as number;
				await this.putPart(session, upload, blob, n);
				const partSize = upload.partSize ?? blob.size;
				onPart?.({ partNumber: n, size: Math.min(partSize, blob.size - (n - 1) * partSize) });
			}
		};
		await Promise.all(Array.from({ length: Math.min(this.concurrency, todo.length) }, worker));
	}

	private origin(): string {
		return this.base.slice(0, this.base.lastIndexOf("/r/"));
	}

	private path(session: Session): string {
		return `/uploads/${segment(session.uploadId)}`;
	}

	private auth(session: Session): Record<string, string> {
		return { "Upload-Token": session.uploadToken };
	}

	private async json<T>(method: string, path: string, init: RequestInit = {}): Promise<T> {
		return (await (await this.send(method, path, init)).json()) as T;
	}

	/**
	 * One uploader request to `path` under the link (`/uploads/...`, or `""` for
	 * the link itself) with `Link-Secret` set, waiting out 423 and retryable 503
	 * answers with their Retry-After; 410 throws LinkGoneError, any other
	 * problem ReceiveLinkError. The building block of every method above.
	 */
	async send(method: string, path: string, init: RequestInit = {}): Promise<Response> {
		const started = Date.now();
		for (;;) {
			const headers = new Headers(init.headers);
			headers.set("Link-Secret", this.secret);
			const res = await this.doFetch(`${this.base}${path}`, { ...init, method, headers });
			if (res.ok) return res;
			const p = await problemOf(res);
			if (res.status === 410) throw new LinkGoneError(p.problem);
			const waitable = res.status === 423 || (res.status === 503 && p.problem.retryable);
			if (!waitable || Date.now() - started > this.maxWaitMs) throw p;
			const seconds = Number(res.headers.get("retry-after") ?? p.problem.retryAfter ?? 1);
			const waitMs = 1000 * (Number.isFinite(seconds) && seconds > 0 ? seconds : 1);
			this.onWait?.(p.problem, waitMs);
			await this.sleep(waitMs);
		}
	}
}

function toBlob(data: Blob | Uint8Array): Blob {
	return data instanceof Blob ? data : new Blob([data as Uint8Array<ArrayBuffer>]);
}
