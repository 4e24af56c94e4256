// The two systems under test, behind one small interface each: the service
// (through the project's typed clients, src/client, over the bench's own
// node:http transport, so every request keeps its timing and headers) and the
// bare R2 baseline.
import { OwnerClient, parseUploadUrl, UploaderClient } from "../../src/client/index.ts";
import { call, doTiming, request } from "./http.mjs";

/** What each request answered and how long it took (set by `timedFetch`). */
const timings = new WeakMap();

/** A `fetch` over bench/lib/http.mjs: bodies from memory with Content-Length, keep-alive. */
async function timedFetch(url, init = {}) {
	const headers = Object.fromEntries(new Headers(init.headers));
	const r = await request(init.method ?? "GET", url, { headers, body: init.body ?? undefined });
	const flat = [];
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

/** { status, headers, body, ms, json } of a Response made by timedFetch; checks `expect`. */
async function result(res, expect, what) {
	const r = timings.get(res);
	const text = r.body.toString("utf8");
	let json = null;
	try {
		json = text ? JSON.parse(text) : null;
	} catch {
		json = null;
	}
	if (expect && !expect.includes(r.status)) {
		throw new Error(`${what} -> ${r.status} ${text.slice(0, 400)}`);
	}
	return { ...r, json };
}

export class Service {
	constructor(baseUrl, adminToken) {
		this.baseUrl = baseUrl;
		this.admin = new OwnerClient(baseUrl, { adminToken, fetch: timedFetch });
		this.owner = null;
	}

	async createOwner(name = "bench owner") {
		const { apiKey } = await this.admin.createOwner(name);
		this.owner = this.admin.as({ apiKey });
	}

	/**
	 * A link; maxFiles null (unlimited) unless set. Returns { id, up, secret,
	 * client }: `client` is the uploader client of its upload URL; `up` the
	 * uploader base URL `/r/<linkId>` (no secret), `secret` sent as `Link-Secret`.
	 */
	async createLink(settings = {}) {
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
	linkHeaders(link) {
		return { "link-secret": link.secret };
	}

	/** Upload init; returns { id, token, upload, res }. */
	async init(link, name, size) {
		const res = await result(
			await link.client.send("POST", "/uploads", {
				headers: { "content-type": "application/json" },
				body: JSON.stringify({ name, size }),
			}),
			[201],
			"init",
		);
		return { id: res.json.upload.id, token: res.json.uploadToken, upload: res.json.upload, res };
	}

	async uploader(link, method, path, up, body, expect = [200]) {
		const init = { headers: { "upload-token": up.token }, ...(body ? { body } : {}) };
		return result(await link.client.send(method, path, init), expect, `${method} ${path}`);
	}

	putSingle(link, up, body) {
		return this.uploader(link, "PUT", `/uploads/${up.id}`, up, body);
	}

	putPart(link, up, n, body) {
		return this.uploader(link, "PUT", `/uploads/${up.id}/parts/${n}`, up, body);
	}

	complete(link, up) {
		return this.uploader(link, "POST", `/uploads/${up.id}/complete`, up);
	}

	abort(link, up) {
		return this.uploader(link, "DELETE", `/uploads/${up.id}`, up, undefined, [204]);
	}

	finalize(link, up) {
		return this.uploader(link, "POST", `/uploads/${up.id}/finalize`, up, undefined, [202]);
	}

	async revoke(link) {
		return result(await this.owner.lifecycleResponse("revoke", link.id), [202], "revoke");
	}

	async delete(link) {
		return result(await this.owner.lifecycleResponse("delete", link.id), [202], "delete");
	}

	async getLink(link) {
		return result(await this.owner.getLinkResponse(link.id), null, "GET link");
	}

	async publicInfo(link) {
		return result(await link.client.send("GET", ""), null, "GET /r/:linkId");
	}

	/** A status poll with the command's Retry-Token (no owner credentials). */
	command(accepted) {
		return call("GET", `${this.baseUrl}${accepted.json.statusUrl}`, {
			headers: { "retry-token": accepted.json.retryToken },
		});
	}
}

/** The bare R2 Worker; `prefix` selects an attribution variant ("", "/guard", "/guard/rpc"). */
export class Baseline {
	constructor(baseUrl) {
		this.baseUrl = baseUrl;
	}

	putSingle(prefix, key, body) {
		return call("PUT", `${this.baseUrl}${prefix}/single/${key}`, { body });
	}

	async createMpu(key) {
		const res = await call("POST", `${this.baseUrl}/mpu/${key}`);
		return res.json.uploadId;
	}

	putPart(prefix, key, uploadId, n, body) {
		return call("PUT", `${this.baseUrl}${prefix}/mpu/${key}/${uploadId}/${n}`, { body });
	}

	abortMpu(key, uploadId) {
		return call("DELETE", `${this.baseUrl}/mpu/${key}/${uploadId}`, { expect: [204] });
	}

	calibrateSql(n, write) {
		return call("GET", `${this.baseUrl}/calibrate/sql?n=${n}&write=${write ? 1 : 0}`);
	}
}

export { doTiming };
