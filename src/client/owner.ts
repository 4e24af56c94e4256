/**
 * A typed client for the owner and admin API (`/api/...`): links, their
 * lifecycle, commands, uploads, files, owners and their keys, the audit and
 * dead letters. Typed methods return the parsed body and throw
 * `ReceiveLinkError` on any problem; the `*Response` methods hand back the raw
 * `Response` for callers that judge the status themselves (tests, the load
 * test, the benchmarks). Runs wherever `fetch` exists; imports nothing of
 * the Worker but types.
 */
import { jsonOf, query } from "./answers.ts";
import {
	type Fetch,
	FINAL_COMMAND_STATUSES,
	type LifecycleKind,
	type LifecycleOptions,
	type OwnerClientOptions,
	type PageOptions,
	type WaitOptions,
} from "./owner-options.ts";
import { segment } from "./path.ts";
import { problemOf } from "./problem.ts";
import type {
	AuditReport,
	CommandAccepted,
	CommandList,
	CommandView,
	CreatedLink,
	CreatedOwner,
	CreatedWebhookEndpoint,
	CreateWebhookInput,
	DeadLetterDetail,
	DeadLetterList,
	DeadLetterStatus,
	DeadLetterView,
	DeliveryAttemptList,
	FileList,
	LinkList,
	LinkState,
	LinkView,
	OwnerList,
	OwnerSummary,
	PatchWebhookInput,
	RedeliveryAccepted,
	RotatedOwnerKey,
	SettingsInput,
	UploadList,
	WebhookEndpointList,
	WebhookEndpointView,
	WebhookTestAccepted,
} from "./types.ts";
import { watch } from "./watch.ts";

export * from "./owner-options.ts";

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class OwnerClient {
	private readonly base: string;
	private readonly token: string | undefined;
	private readonly doFetch: Fetch;
	private readonly sleep: (ms: number) => Promise<void>;

	constructor(baseUrl: string, options: OwnerClientOptions = {}) {
		this.base = baseUrl.replace(/\/$/, "");
		this.token = options.apiKey ?? options.adminToken;
		this.doFetch = options.fetch ?? ((input, init) => fetch(input, init));
		this.sleep = options.sleep ?? defaultSleep;
	}

	/** The same service and transport with other credentials. */
	as(credentials: { apiKey: string } | { adminToken: string }): OwnerClient {
		return new OwnerClient(this.base, { ...credentials, fetch: this.doFetch, sleep: this.sleep });
	}

	/**
	 * One request to `path` (`/api/...`) with this client's credentials; a
	 * `body` is sent as JSON. Answers the raw Response, whatever its status.
	 */
	request(
		method: string,
		path: string,
		init: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
	): Promise<Response> {
		const headers: Record<string, string> = {};
		if (this.token) headers.Authorization = `Bearer ${this.token}`;
		if (init.body !== undefined) headers["Content-Type"] = "application/json";
		return this.doFetch(`${this.base}${path}`, {
			method,
			headers: { ...headers, ...init.headers },
			...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
			...(init.signal ? { signal: init.signal } : {}),
		});
	}

	// --- owners (admin) ---

	async createOwner(name: string, email?: string): Promise<CreatedOwner> {
		const body = email === undefined ? { name } : { name, email };
		return this.json(this.request("POST", "/api/admin/owners", { body }), 201);
	}

	/** Owners, newest first, each with its live key's prefix (never the key) and link count. */
	async listOwners(page: PageOptions = {}): Promise<OwnerList> {
		return this.json(this.request("GET", `/api/admin/owners${query(page)}`), 200);
	}

	async getOwnerResponse(ownerId: string): Promise<Response> {
		return this.request("GET", `/api/admin/owners/${segment(ownerId)}`);
	}

	async getOwner(ownerId: string): Promise<OwnerSummary> {
		return (await this.json<{ owner: OwnerSummary }>(this.getOwnerResponse(ownerId), 200)).owner;
	}

	async rotateOwnerKeyResponse(ownerId: string): Promise<Response> {
		return this.request("POST", `/api/admin/owners/${segment(ownerId)}/keys`);
	}

	/** Revokes the owner's live key and issues a new one, returned here only (201). */
	async rotateOwnerKey(ownerId: string): Promise<RotatedOwnerKey> {
		return this.json(this.rotateOwnerKeyResponse(ownerId), 201);
	}

	// --- links ---

	async createLink(settings: SettingsInput = {}): Promise<CreatedLink> {
		return this.json(this.request("POST", "/api/links", { body: settings }), 201);
	}

	async getLinkResponse(linkId: string): Promise<Response> {
		return this.request("GET", `/api/links/${segment(linkId)}`);
	}

	/** The link's upload URL (`<origin>/r/<linkId>#<secret>`), as it was answered at creation. */
	async getUploadUrl(linkId: string): Promise<string> {
		const body = await this.json<{ uploadUrl: string }>(
			this.request("GET", `/api/links/${segment(linkId)}/upload-url`),
			200,
		);
		return body.uploadUrl;
	}

	/** The link and its ETag (`"<epoch>.<settingsRevision>"`, for `If-Match`). */
	async getLink(linkId: string): Promise<{ link: LinkView; etag: string | null }> {
		const res = await this.getLinkResponse(linkId);
		const { link } = await this.json<{ link: LinkView }>(res, 200);
		return { link, etag: res.headers.get("etag") };
	}

	/** The owner's links (with the admin token: every link). */
	async listLinks(page: PageOptions = {}): Promise<LinkList> {
		return this.json(this.request("GET", `/api/links${query(page)}`), 200);
	}

	async patchLink(
		linkId: string,
		settings: SettingsInput,
		options: { ifMatch?: string } = {},
	): Promise<LinkView> {
		const headers = options.ifMatch ? { "If-Match": options.ifMatch } : undefined;
		const res = this.request("PATCH", `/api/links/${segment(linkId)}`, {
			body: settings,
			...(headers ? { headers } : {}),
		});
		return (await this.json<{ link: LinkView }>(res, 200)).link;
	}

	/** A lifecycle request as it is answered (200 or 202, or a problem). */
	async lifecycleResponse(
		kind: LifecycleKind,
		linkId: string,
		options: LifecycleOptions = {},
	): Promise<Response> {
		const headers: Record<string, string> = { ...options.headers };
		if (options.ifMatch) headers["If-Match"] = options.ifMatch;
		if (options.idempotencyKey) headers["Idempotency-Key"] = options.idempotencyKey;
		return kind === "delete"
			? this.request("DELETE", `/api/links/${segment(linkId)}`, { headers })
			: this.request("POST", `/api/links/${segment(linkId)}/${kind}`, { headers });
	}

	async pause(linkId: string, options: LifecycleOptions = {}): Promise<LinkView> {
		return (await this.json<{ link: LinkView }>(this.lifecycleResponse("pause", linkId, options)))
			.link;
	}

	async resume(linkId: string, options: LifecycleOptions = {}): Promise<LinkView> {
		return (await this.json<{ link: LinkView }>(this.lifecycleResponse("resume", linkId, options)))
			.link;
	}

	/** Accepted (202): poll `waitForCommand(command.id)` for the outcome. */
	async revoke(linkId: string, options: LifecycleOptions = {}): Promise<CommandAccepted> {
		return this.json(this.lifecycleResponse("revoke", linkId, options), 202);
	}

	/** Accepted (202): poll `waitForCommand(command.id)` for the outcome. */
	async delete(linkId: string, options: LifecycleOptions = {}): Promise<CommandAccepted> {
		return this.json(this.lifecycleResponse("delete", linkId, options), 202);
	}

	// --- commands ---

	async getCommandResponse(commandId: string): Promise<Response> {
		return this.request("GET", `/api/commands/${segment(commandId)}`);
	}

	async getCommand(commandId: string): Promise<CommandView> {
		const res = this.getCommandResponse(commandId);
		return (await this.json<{ command: CommandView }>(res, 200)).command;
	}

	/**
	 * Polls a command until its status is one of `statuses` (default: final):
	 * `watch()` from 50 ms (or `pollMs` when less), doubling up to `pollMs`. A
	 * problem (404, 410, 401) is thrown.
	 */
	async waitForCommand(commandId: string, options: WaitOptions = {}): Promise<CommandView> {
		const statuses = options.statuses ?? FINAL_COMMAND_STATUSES;
		const pollMs = options.pollMs ?? 250;
		const path = `/api/commands/${segment(commandId)}`;
		const end = await watch<CommandView>({
			request: (signal) => this.request("GET", path, signal ? { signal } : {}),
			read: async (res) => (await this.json<{ command: CommandView }>(res, 200)).command,
			done: (command) => statuses.includes(command.status),
			backoff: { firstMs: Math.min(50, pollMs), capMs: pollMs },
			timeoutMs: options.timeoutMs ?? 60_000,
			sleep: this.sleep,
			...(options.signal ? { signal: options.signal } : {}),
		});
		if (end.kind === "gone") throw await problemOf(end.response);
		if (end.kind === "timeout")
			throw new Error(
				`command ${commandId} stuck in ${end.state?.status}: ${JSON.stringify(end.state)}`,
			);
		return end.state;
	}

	/** A link's commands, newest first. */
	async listCommands(linkId: string, page: PageOptions = {}): Promise<CommandList> {
		return this.json(
			this.request("GET", `/api/links/${segment(linkId)}/commands${query(page)}`),
			200,
		);
	}

	// --- uploads and files ---

	async listUploads(linkId: string, page: PageOptions = {}): Promise<UploadList> {
		return this.json(
			this.request("GET", `/api/links/${segment(linkId)}/uploads${query(page)}`),
			200,
		);
	}

	/** Aborts an upload as the owner (204). */
	async abortUpload(linkId: string, uploadId: string): Promise<void> {
		const res = await this.request(
			"DELETE",
			`/api/links/${segment(linkId)}/uploads/${segment(uploadId)}`,
		);
		if (!res.ok) throw await problemOf(res);
		await res.body?.cancel();
	}

	async listFiles(linkId: string, page: PageOptions = {}): Promise<FileList> {
		return this.json(this.request("GET", `/api/links/${segment(linkId)}/files${query(page)}`), 200);
	}

	/**
	 * A file's content (`downloadUrl` of a file, or `/api/files/<id>/content`),
	 * answered as is: the caller reads the body (and may send `Range`).
	 */
	download(downloadUrl: string, headers: Record<string, string> = {}): Promise<Response> {
		return this.request("GET", downloadUrl, { headers });
	}

	/** A file's content by its id (`GET /api/files/<id>/content`), answered as is. */
	async downloadFileResponse(
		fileId: string,
		headers: Record<string, string> = {},
	): Promise<Response> {
		return this.download(`/api/files/${segment(fileId)}/content`, headers);
	}

	/** Every finalized file of a link as one ZIP (`GET /api/links/<id>/files.zip`), answered as is. */
	async downloadZipResponse(linkId: string): Promise<Response> {
		return this.request("GET", `/api/links/${segment(linkId)}/files.zip`);
	}

	/**
	 * Every finalized file of a link as one ZIP: the 200 Response, whose body
	 * streams the archive (`Content-Length` is its exact size; a body that
	 * errors or ends short is an incomplete archive). Throws on a problem.
	 */
	async downloadZip(linkId: string): Promise<Response> {
		const res = await this.downloadZipResponse(linkId);
		if (res.status !== 200) throw await problemOf(res);
		return res;
	}

	/** Every item of a paginated list, page after page. */
	async all<T>(
		list: (page: PageOptions) => Promise<{ items: T[]; nextCursor: string | null }>,
		maxPages = 100,
	): Promise<T[]> {
		const items: T[] = [];
		let cursor: string | null = null;
		for (let n = 0; n < maxPages; n++) {
			const page = await list({ limit: 100, cursor });
			items.push(...page.items);
			cursor = page.nextCursor;
			if (!cursor) break;
		}
		return items;
	}

	// --- webhook endpoints ---

	createWebhookResponse(input: CreateWebhookInput): Promise<Response> {
		return this.request("POST", "/api/webhooks", { body: input });
	}

	/** Registers an endpoint; its signing secret (`whsec_...`) is in this answer only. */
	async createWebhook(input: CreateWebhookInput): Promise<CreatedWebhookEndpoint> {
		return this.json(this.createWebhookResponse(input), 201);
	}

	/** The owner's endpoints, newest first (with the admin token: everyone's). */
	async listWebhooks(page: PageOptions = {}): Promise<WebhookEndpointList> {
		return this.json(this.request("GET", `/api/webhooks${query(page)}`), 200);
	}

	async getWebhookResponse(endpointId: string): Promise<Response> {
		return this.request("GET", `/api/webhooks/${segment(endpointId)}`);
	}

	async getWebhook(endpointId: string): Promise<WebhookEndpointView> {
		const res = this.getWebhookResponse(endpointId);
		return (await this.json<{ endpoint: WebhookEndpointView }>(res, 200)).endpoint;
	}

	async updateWebhookResponse(endpointId: string, input: PatchWebhookInput): Promise<Response> {
		return this.request("PATCH", `/api/webhooks/${segment(endpointId)}`, {
			body: input,
		});
	}

	/** Changes the fields given; `enabled: true` also clears the disabled reason and failures. */
	async updateWebhook(endpointId: string, input: PatchWebhookInput): Promise<WebhookEndpointView> {
		const res = this.updateWebhookResponse(endpointId, input);
		return (await this.json<{ endpoint: WebhookEndpointView }>(res, 200)).endpoint;
	}

	/** Deletes an endpoint (204). */
	async deleteWebhook(endpointId: string): Promise<void> {
		const res = await this.request("DELETE", `/api/webhooks/${segment(endpointId)}`);
		if (!res.ok) throw await problemOf(res);
		await res.body?.cancel();
	}

	/** A new signing secret (shown here only); the old one also signs for `graceSeconds`. */
	async rotateWebhookSecret(
		endpointId: string,
		options: { graceSeconds?: number } = {},
	): Promise<CreatedWebhookEndpoint> {
		const path = `/api/webhooks/${segment(endpointId)}/rotate`;
		return this.json(this.request("POST", path, { body: options }), 201);
	}

	/** The endpoint's current signing secret (`whsec_…`), opened from its sealed copy. */
	async getWebhookSecret(endpointId: string): Promise<string> {
		const path = `/api/webhooks/${segment(endpointId)}/secret`;
		return (await this.json<{ secret: string }>(this.request("GET", path), 200)).secret;
	}

	/** Queues a `webhook.test` event for this endpoint only (202). */
	async sendTestWebhook(endpointId: string): Promise<WebhookTestAccepted> {
		const path = `/api/webhooks/${segment(endpointId)}/test`;
		return this.json(this.request("POST", path), 202);
	}

	// --- admin ---

	/** Every owner's links (admin), optionally only those in one state and/or of one owner. */
	async listAllLinks(
		filter: { state?: LinkState; ownerId?: string } = {},
		page: PageOptions = {},
	): Promise<LinkList> {
		const extra = { state: filter.state, ownerId: filter.ownerId };
		return this.json(this.request("GET", `/api/admin/links${query(page, extra)}`), 200);
	}

	async auditResponse(linkId: string, options: { sweep?: boolean } = {}): Promise<Response> {
		return this.request(
			"GET",
			`/api/admin/links/${segment(linkId)}/audit${options.sweep ? "?sweep=1" : ""}`,
		);
	}

	/** The invariants of one link (admin); `sweep` settles due work first. */
	async audit(linkId: string, options: { sweep?: boolean } = {}): Promise<AuditReport> {
		return this.json(this.auditResponse(linkId, options), 200);
	}

	async listDeadLetters(
		page: PageOptions & { status?: DeadLetterStatus; linkId?: string } = {},
	): Promise<DeadLetterList> {
		const extra = { status: page.status, linkId: page.linkId };
		return this.json(this.request("GET", `/api/admin/dead-letters${query(page, extra)}`), 200);
	}

	async getDeadLetter(id: string): Promise<DeadLetterDetail> {
		return this.json(this.request("GET", `/api/admin/dead-letters/${segment(id)}`), 200);
	}

	/**
	 * Accepts the dead-lettered command again and re-sends it (202). A webhook
	 * dead letter has no command: its message is sent again and the answer is
	 * `{ deadLetter }`.
	 */
	async replayDeadLetter(id: string): Promise<CommandAccepted | { deadLetter: DeadLetterView }> {
		return this.json(this.request("POST", `/api/admin/dead-letters/${segment(id)}/replay`), 202);
	}

	/** Cancels the dead-lettered command (null: a webhook dead letter, only marked discarded). */
	async discardDeadLetter(id: string): Promise<CommandView | null> {
		const res = this.request("POST", `/api/admin/dead-letters/${segment(id)}/discard`);
		return (await this.json<{ command: CommandView | null }>(res, 200)).command;
	}

	/** One page of a webhook endpoint's delivery log, newest attempt first. */
	async listDeliveries(endpointId: string, page: PageOptions = {}): Promise<DeliveryAttemptList> {
		const path = `/api/webhooks/${segment(endpointId)}/deliveries${query(page)}`;
		return this.json(this.request("GET", path), 200);
	}

	/** Sends one stored event to the endpoint again (202); its attempts join the delivery log. */
	async redeliver(endpointId: string, eventId: string): Promise<RedeliveryAccepted> {
		return this.json(
			this.request(
				"POST",
				`/api/webhooks/${segment(endpointId)}/deliveries/${segment(eventId)}/redeliver`,
			),
			202,
		);
	}

	// --- internals ---

	/** The JSON body of an answer with one of `ok` statuses (default any 2xx); else its problem. */
	private async json<T>(res: Response | Promise<Response>, ...ok: number[]): Promise<T> {
		return jsonOf<T>(await res, ok);
	}
}
