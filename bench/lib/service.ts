// The service under test, driven through the project's typed clients
// (OwnerClient, UploaderClient from src/client) over the bench's own node:http
// transport, so every request keeps its timing and headers.
import {
	type CommandAccepted,
	type CommandView,
	type LinkView,
	OwnerClient,
	parseUploadUrl,
	type SettingsInput,
	type SmallUploadAccepted,
	smallMetadata,
	UploaderClient,
	type UploadView,
} from "../../src/client/index.ts";
import { call, type JsonResponse, parseJson, type RawResponse, request } from "./http.ts";

/** What each request answered and how long it took (set by `timedFetch`). */
const timings = new WeakMap<Response, RawResponse>();

function bodyOf(body: RequestInit["body"]): string | Uint8Array | undefined {
	if (body === undefined || body === null) return undefined;
	if (typeof body === "string" || body instanceof Uint8Array) return body;
	throw new Error("bench transport: only string and byte bodies are sent");
}

/** A `fetch` over bench/lib/http.ts: bodies from memory with Content-Length, keep-alive. */
async function timedFetch(url: string, init: RequestInit = {}): Promise<Response> {
	const headers = Object.fromEntries(new Headers(init.headers));
	const r = await request(init.method ?? "GET", url, { headers, body: bodyOf(init.body) });
	const flat: [string, string][] = [];
	for (const [k, v] of Object.entries(r.headers)) {
		if (v !== undefined) flat.push([k, Array.isArray(v) ? v.join(", ") : String(v)]);
	}
	const res = new Response(r.status === 204 || r.status === 304 ? null : r.body, {
		status: r.status,
		headers: flat,
	});
	timings.set(res, r);
	return res;
}

/** The timed answer behind a Response made by timedFetch, its status checked against `expect`. */
function result<T>(res: Response, expect: number[] | null, what: string): JsonResponse<T> {
	const r = timings.get(res);
	if (!r) throw new Error(`${what}: not answered through the bench transport`);
	if (expect && !expect.includes(r.status)) {
		throw new Error(`${what} -> ${r.status} ${r.body.toString("utf8").slice(0, 400)}`);
	}
	return { ...r, json: parseJson(r.body) as T };
}

/** A link of the service. */
export interface Link {
	id: string;
	/** The uploader base URL `/r/<linkId>` (no secret). */
	up: string;
	/** Sent as `Link-Secret`. */
	secret: string;
	/** The uploader client of its upload URL. */
	client: UploaderClient;
}

/** An initialized upload. */
export interface Upload {
	id: string;
	token: string;
	upload: UploadView;
	res: JsonResponse<{ upload: UploadView; uploadToken: string }>;
}

export type Accepted = JsonResponse<CommandAccepted>;
export type CommandPoll = JsonResponse<{ command: CommandView }>;

export class Service {
	readonly baseUrl: string;
	private readonly owner: OwnerClient;

	private constructor(baseUrl: string, owner: OwnerClient) {
		this.baseUrl = baseUrl;
		this.owner = owner;
	}

	/** The service at `baseUrl`, driven as a new owner created with the admin token. */
	static async withNewOwner(
		baseUrl: string,
		adminToken: string,
		name = "bench owner",
	): Promise<Service> {
		const admin = new OwnerClient(baseUrl, { adminToken, fetch: timedFetch });
		const { apiKey } = await admin.createOwner(name);
		return new Service(baseUrl, admin.as({ apiKey }));
	}

	/** A link; maxFiles null (unlimited) unless set. */
	async createLink(settings: SettingsInput = {}): Promise<Link> {
		const created = await this.owner.createLink({ title: "bench", maxFiles: null, ...settings });
		const { linkId, secret } = parseUploadUrl(created.uploadUrl);
		// maxWaitMs 0: a 423 or 503 is an error here, as any unexpected status always was.
		const client = new UploaderClient(created.uploadUrl, {
			baseUrl: this.baseUrl,
			fetch: timedFetch,
			maxWaitMs: 0,
		});
		return { id: created.link.id, up: `${this.baseUrl}/r/${linkId}`, secret, client };
	}

	/** The `Link-Secret` header every uploader request carries. */
	linkHeaders(link: Link): Record<string, string> {
		return { "link-secret": link.secret };
	}

	async init(link: Link, name: string, size: number): Promise<Upload> {
		const res = result<Upload["res"]["json"]>(
			await link.client.send("POST", "/uploads", {
				headers: { "content-type": "application/json" },
				body: JSON.stringify({ name, size }),
			}),
			[201],
			"init",
		);
		return { id: res.json.upload.id, token: res.json.uploadToken, upload: res.json.upload, res };
	}

	private async uploader<T = unknown>(
		link: Link,
		method: string,
		path: string,
		up: Upload,
		body?: Uint8Array,
		expect = [200],
	): Promise<JsonResponse<T>> {
		const init = { headers: { "upload-token": up.token }, ...(body ? { body } : {}) };
		return result(await link.client.send(method, path, init), expect, `${method} ${path}`);
	}

	putSingle(link: Link, up: Upload, body: Uint8Array): Promise<JsonResponse> {
		return this.uploader(link, "PUT", `/uploads/${up.id}`, up, body);
	}

	putPart(link: Link, up: Upload, n: number, body: Uint8Array): Promise<JsonResponse> {
		return this.uploader(link, "PUT", `/uploads/${up.id}/parts/${n}`, up, body);
	}

	complete(link: Link, up: Upload): Promise<JsonResponse> {
		return this.uploader(link, "POST", `/uploads/${up.id}/complete`, up);
	}

	abort(link: Link, up: Upload): Promise<JsonResponse> {
		return this.uploader(link, "DELETE", `/uploads/${up.id}`, up, undefined, [204]);
	}

	finalize(link: Link, up: Upload): Promise<Accepted> {
		return this.uploader(link, "POST", `/uploads/${up.id}/finalize`, up, undefined, [202]);
	}

	/** A one-request upload (`POST /r/:linkId/files`): the body and its name, to the 202. */
	async small(
		link: Link,
		name: string,
		body: Uint8Array,
	): Promise<JsonResponse<SmallUploadAccepted>> {
		const headers = { "upload-metadata": smallMetadata({ name }) };
		return result(
			await link.client.send("POST", "/files", { headers, body }),
			[202],
			"POST /files",
		);
	}

	async revoke(link: Link): Promise<Accepted> {
		return result(await this.owner.lifecycleResponse("revoke", link.id), [202], "revoke");
	}

	async delete(link: Link): Promise<Accepted> {
		return result(await this.owner.lifecycleResponse("delete", link.id), [202], "delete");
	}

	async getLink(link: Link): Promise<JsonResponse<{ link: LinkView }>> {
		return result(await this.owner.getLinkResponse(link.id), null, "GET link");
	}

	async publicInfo(link: Link): Promise<JsonResponse> {
		return result(await link.client.send("GET", ""), null, "GET /r/:linkId");
	}

	/** A status poll with the command's Retry-Token (no owner credentials). */
	command(accepted: Accepted): Promise<CommandPoll> {
		const token = accepted.json.retryToken;
		return call("GET", `${this.baseUrl}${accepted.json.statusUrl}`, {
			headers: token ? { "retry-token": token } : {},
		});
	}
}
