/**
 * Helpers of the end-to-end tests: the service `global-setup.ts` started
 * (base URL, admin and owner clients), links, source bytes, the unmodified
 * tus-js-client wrapped in a promise with a log of its requests, raw tus
 * requests, polling a command with its Retry-Token, and checking a file the
 * owner downloads against its source bytes.
 */
import { createHash, randomBytes } from "node:crypto";
import { connect, createServer as createNetServer, type Socket } from "node:net";
import { type DetailedError, type HttpResponse, Upload } from "tus-js-client";
import { expect, inject } from "vitest";
import {
	type CommandView,
	FINAL_COMMAND_STATUSES,
	type FileView,
	OwnerClient,
	parseUploadUrl,
	type SettingsInput,
} from "../../src/client/index.ts";

export const MiB = 1024 * 1024;
/** The part size the service picks for files up to 80 000 MiB (docs/uploads.md). */
export const PART_SIZE = 8 * MiB;
/** Short retries: a paused link answers 423 and the client tries again. */
export const RETRY_DELAYS = [100, 200, 400, 800, 1600];

export type UploadOptions = NonNullable<ConstructorParameters<typeof Upload>[1]>;

/** The service of this run (started once by global-setup.ts). */
export function service(): { base: string; admin: OwnerClient } {
	const base = inject("e2eBaseUrl");
	return { base, admin: new OwnerClient(base, { adminToken: inject("e2eAdminToken") }) };
}

let ownerClient: Promise<OwnerClient> | null = null;

/** One owner for the whole file, created by the admin on first use. */
export function owner(): Promise<OwnerClient> {
	if (!ownerClient) {
		const { admin } = service();
		ownerClient = admin
			.createOwner("e2e owner", "e2e-owner@example.test")
			.then((o) => admin.as({ apiKey: o.apiKey }));
	}
	return ownerClient;
}

export interface E2ELink {
	id: string;
	secret: string;
	/** `<origin>` as the Worker names itself in `uploadUrl`. */
	origin: string;
	/** `${base}/r/<linkId>/tus/`: the tus endpoint. */
	tus: string;
}

/** A new link of the test owner, with its secret taken from the upload URL's fragment. */
export async function newLink(settings: SettingsInput = {}): Promise<E2ELink> {
	const { base } = service();
	const created = await (await owner()).createLink({ title: "e2e link", ...settings });
	const { linkId, secret, origin } = parseUploadUrl(created.uploadUrl);
	expect(linkId).toBe(created.link.id);
	return { id: linkId, secret, origin, tus: `${base}/r/${linkId}/tus/` };
}

/** `size` random bytes. */
export function bytes(size: number): Buffer {
	return size === 0 ? Buffer.alloc(0) : randomBytes(size);
}

export function sha256(data: Uint8Array): string {
	return createHash("sha256").update(data).digest("hex");
}

export function mib(n: number | undefined): string {
	if (n === undefined) return "unset";
	return n > 0 && n % MiB === 0 ? `${n / MiB} MiB` : `${n} B`;
}

// --- tus-js-client ---

export interface LoggedRequest {
	method: string;
	url: string;
	status: number;
	/** `Upload-Offset` the request sent (PATCH) and the answer's (HEAD, PATCH). */
	sentOffset: string | undefined;
	offset: string | undefined;
	retryAfter: string | undefined;
	/** When the answer arrived (Date.now()). */
	at: number;
}

export interface TusRun {
	upload: Upload;
	/** Resolves with `onSuccess`'s `lastResponse`; rejects with `onError`'s error. */
	done: Promise<HttpResponse>;
	/** Every answered request, in order. */
	log: LoggedRequest[];
}

/**
 * Starts an unmodified tus-js-client `Upload` of `data` to the link's tus
 * endpoint: `Link-Secret` in `headers`, `filename`/`filetype` (and `extra`'s
 * metadata) in `Upload-Metadata`, short retries. `extra` overrides or adds
 * options; its `onAfterResponse` runs after the log is written.
 */
export function startTus(link: E2ELink, data: Buffer, extra: Partial<UploadOptions> = {}): TusRun {
	const log: LoggedRequest[] = [];
	let resolve!: (res: HttpResponse) => void;
	let reject!: (error: Error) => void;
	const done = new Promise<HttpResponse>((res, rej) => {
		resolve = res;
		reject = rej;
	});
	// Never an unhandled rejection when a test does not await `done`.
	done.catch(() => {});
	const { metadata, headers, onAfterResponse, ...rest } = extra;
	const upload = new Upload(data, {
		endpoint: link.tus,
		headers: { "Link-Secret": link.secret, ...headers },
		metadata: {
			filename: `e2e-${data.length}.bin`,
			filetype: "application/octet-stream",
			...metadata,
		},
		retryDelays: RETRY_DELAYS,
		onAfterResponse: async (req, res) => {
			log.push({
				method: req.getMethod(),
				url: req.getURL(),
				status: res.getStatus(),
				sentOffset: req.getHeader("Upload-Offset"),
				offset: res.getHeader("Upload-Offset"),
				retryAfter: res.getHeader("Retry-After"),
				at: Date.now(),
			});
			await onAfterResponse?.(req, res);
		},
		onSuccess: ({ lastResponse }) => resolve(lastResponse),
		onError: (error) => reject(error),
		...rest,
	});
	upload.start();
	return { upload, done, log };
}

/** Describes a request log for failure messages. */
export function describeLog(log: LoggedRequest[]): string {
	return log
		.map((r) => `${r.method} ${r.status}${r.offset !== undefined ? ` offset=${r.offset}` : ""}`)
		.join(", ");
}

/** The HTTP status of a tus-js-client error (0 when no answer was received). */
export function statusOf(error: unknown): number {
	const response = (error as DetailedError | null)?.originalResponse;
	return response ? response.getStatus() : 0;
}

// --- raw tus requests ---

export const TUS = { "Tus-Resumable": "1.0.0" } as const;

export function tusMetadata(fields: Record<string, string>): string {
	return Object.entries(fields)
		.map(([k, v]) => `${k} ${Buffer.from(v, "utf8").toString("base64")}`)
		.join(",");
}

/** A tus request with the link's secret (unless `headers` replaces it). */
export function tusFetch(
	link: E2ELink,
	method: string,
	url: string,
	headers: Record<string, string> = {},
	body?: Uint8Array,
): Promise<Response> {
	return fetch(url, {
		method,
		headers: { ...TUS, "Link-Secret": link.secret, ...headers },
		...(body ? { body } : {}),
		redirect: "manual",
	});
}

/** `POST` (creation) of an upload of `length` bytes; answers its absolute URL. */
export async function tusCreate(
	link: E2ELink,
	length: number,
	metadata: Record<string, string> = { filename: "raw.bin", filetype: "application/octet-stream" },
): Promise<string> {
	const res = await tusFetch(link, "POST", link.tus, {
		"Upload-Length": String(length),
		"Upload-Metadata": tusMetadata(metadata),
	});
	await drain(res);
	expect(res.status, "tus POST").toBe(201);
	const location = res.headers.get("Location");
	expect(location, "Location of the created upload").toBeTruthy();
	return new URL(location ?? "", link.tus).href;
}

/** `HEAD` of an upload: status and offsets. */
export async function tusHead(
	link: E2ELink,
	url: string,
): Promise<{ status: number; offset: number | null; length: number | null; res: Response }> {
	const res = await tusFetch(link, "HEAD", url);
	await drain(res);
	const num = (name: string) => {
		const v = res.headers.get(name);
		return v === null ? null : Number(v);
	};
	return { status: res.status, offset: num("Upload-Offset"), length: num("Upload-Length"), res };
}

export async function drain(res: Response): Promise<void> {
	try {
		await res.arrayBuffer();
	} catch {
		// no body
	}
}

// --- finalize and download ---

/** The three headers the answer that completes an upload carries (docs/uploads.md, "tus"). */
export interface CommandHeaders {
	command: string;
	statusUrl: string;
	retryToken: string;
}

export function commandHeaders(get: (name: string) => string | null | undefined): CommandHeaders {
	const command = get("Receive-Link-Command");
	const statusUrl = get("Receive-Link-Command-Status");
	const retryToken = get("Receive-Link-Retry-Token");
	expect(
		{ command, statusUrl, retryToken: retryToken ? "(set)" : retryToken },
		"Receive-Link-Command, Receive-Link-Command-Status and Receive-Link-Retry-Token on the answer that completes the upload",
	).toEqual({ command: expect.any(String), statusUrl: expect.any(String), retryToken: "(set)" });
	return { command: command ?? "", statusUrl: statusUrl ?? "", retryToken: retryToken ?? "" };
}

/**
 * Polls the finalize command at its status URL with its Retry-Token (no owner
 * credentials) until it is final.
 */
export async function pollCommand(
	headers: CommandHeaders,
	timeoutMs = 60_000,
): Promise<CommandView> {
	const { base } = service();
	const url = new URL(headers.statusUrl, base).href;
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const res = await fetch(url, { headers: { "Retry-Token": headers.retryToken } });
		const text = await res.text();
		expect(res.status, `GET ${headers.statusUrl} with the Retry-Token: ${text.slice(0, 300)}`).toBe(
			200,
		);
		const { command } = JSON.parse(text) as { command: CommandView };
		expect(command.id).toBe(headers.command);
		if (FINAL_COMMAND_STATUSES.includes(command.status)) return command;
		if (Date.now() > deadline)
			throw new Error(
				`finalize command ${command.id} still ${command.status} after ${timeoutMs} ms`,
			);
		await new Promise((r) => setTimeout(r, 200));
	}
}

/**
 * The finalize command named by the completing answer succeeds, and the link
 * holds exactly one file: `data`, byte for byte (sha256 of the owner's download).
 */
export async function expectFinalized(
	link: E2ELink,
	get: (name: string) => string | null | undefined,
	data: Buffer,
	name: string,
): Promise<FileView> {
	const command = await pollCommand(commandHeaders(get));
	expect(command.kind).toBe("finalize");
	expect(command.status, `finalize ${command.id}: ${command.result ?? ""}`).toBe("succeeded");
	const o = await owner();
	const files = await o.listFiles(link.id);
	expect(files.items.map((f) => ({ name: f.name, size: f.size }))).toEqual([
		{ name, size: data.length },
	]);
	const file = files.items[0] as FileView;
	const res = await o.download(file.downloadUrl);
	expect(res.status).toBe(200);
	const got = new Uint8Array(await res.arrayBuffer());
	expect(got.length).toBe(data.length);
	expect(sha256(got), "sha256 of the downloaded file").toBe(sha256(data));
	return file;
}

/** The admin's audit of the link after a sweep: settled, no violations. */
export async function expectCleanAudit(link: E2ELink): Promise<void> {
	const report = await service().admin.audit(link.id, { sweep: true });
	expect(report).toEqual({ linkId: link.id, settled: true, violations: [] });
}

// --- a loopback TCP proxy that cuts connections ---

export interface CuttingProxy {
	/** `http://127.0.0.1:<port>`: the service, through the proxy. */
	base: string;
	/** Cuts the connection that carries the next `bytes` bytes from the client (resolves then). */
	cutAfter(bytes: number): Promise<void>;
	close(): Promise<void>;
}

/**
 * A TCP proxy in front of the service that can cut a connection mid-request
 * after an exact number of bytes, whatever the sockets buffer (tus-js-client's
 * onProgress is throttled and runs ahead of what the server has read).
 */
export async function cuttingProxy(target: string): Promise<CuttingProxy> {
	const { hostname, port } = new URL(target);
	let armed: { left: number; done: () => void } | null = null;
	const sockets = new Set<Socket>();
	const server = createNetServer((client) => {
		const upstream = connect(Number(port), hostname);
		sockets.add(client);
		sockets.add(upstream);
		const cut = () => {
			client.destroy();
			upstream.destroy();
		};
		client.on("data", (chunk: Buffer) => {
			if (armed) {
				armed.left -= chunk.length;
				if (armed.left <= 0) {
					const { done } = armed;
					armed = null;
					cut();
					done();
					return;
				}
			}
			if (!upstream.write(chunk)) client.pause();
		});
		upstream.on("drain", () => client.resume());
		upstream.pipe(client);
		client.on("close", () => {
			sockets.delete(client);
			upstream.destroy();
		});
		upstream.on("close", () => {
			sockets.delete(upstream);
			client.destroy();
		});
		client.on("error", cut);
		upstream.on("error", cut);
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const address = server.address();
	const listening = typeof address === "object" && address ? address.port : 0;
	return {
		base: `http://127.0.0.1:${listening}`,
		cutAfter: (bytes) =>
			new Promise<void>((done) => {
				armed = { left: bytes, done };
			}),
		close: () =>
			new Promise<void>((resolve) => {
				for (const s of sockets) s.destroy();
				server.close(() => resolve());
			}),
	};
}
