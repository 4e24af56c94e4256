// The two systems under test, behind one small interface each: the service's
// HTTP API (admin, owner and uploader routes) and the bare R2 baseline.
import { call, doTiming } from "./http.mjs";

const JSON_HEADERS = { "content-type": "application/json" };

/**
 * `<origin>/r/<linkId>#<secret>` -> { linkId, secret } (the same split as
 * parseUploadUrl in src/client/index.ts, which plain node cannot import here).
 */
function parseUploadUrl(uploadUrl) {
	const url = new URL(uploadUrl);
	const m = /^\/r\/([^/]+)\/?$/.exec(url.pathname);
	const secret = url.hash.slice(1);
	if (!m?.[1] || !secret)
		throw new Error(`not an upload URL <origin>/r/<linkId>#<secret>: ${uploadUrl}`);
	return { linkId: decodeURIComponent(m[1]), secret };
}

export class Service {
	constructor(baseUrl, adminToken) {
		this.baseUrl = baseUrl;
		this.adminToken = adminToken;
		this.ownerKey = null;
	}

	get ownerHeaders() {
		return { authorization: `Bearer ${this.ownerKey}`, ...JSON_HEADERS };
	}

	async createOwner(name = "bench owner") {
		const res = await call("POST", `${this.baseUrl}/api/admin/owners`, {
			headers: { authorization: `Bearer ${this.adminToken}`, ...JSON_HEADERS },
			body: JSON.stringify({ name }),
			expect: [201],
		});
		this.ownerKey = res.json.apiKey;
	}

	/**
	 * A link; maxFiles null (unlimited) unless set. Returns { id, up, secret, res }:
	 * `up` is the uploader base URL `/r/<linkId>` (no secret), `secret` the
	 * uploadUrl's fragment, sent as `Link-Secret` on every uploader request.
	 */
	async createLink(settings = {}) {
		const res = await call("POST", `${this.baseUrl}/api/links`, {
			headers: this.ownerHeaders,
			body: JSON.stringify({ title: "bench", maxFiles: null, ...settings }),
			expect: [201],
		});
		const { linkId, secret } = parseUploadUrl(res.json.uploadUrl);
		return { id: res.json.link.id, up: `${this.baseUrl}/r/${linkId}`, secret, res };
	}

	/** The `Link-Secret` header every uploader request carries. */
	linkHeaders(link) {
		return { "link-secret": link.secret };
	}

	/** Upload init; returns { id, token, upload, res }. */
	async init(link, name, size) {
		const res = await call("POST", `${link.up}/uploads`, {
			headers: { ...this.linkHeaders(link), ...JSON_HEADERS },
			body: JSON.stringify({ name, size }),
			expect: [201],
		});
		return { id: res.json.upload.id, token: res.json.uploadToken, upload: res.json.upload, res };
	}

	putSingle(link, up, body) {
		return call("PUT", `${link.up}/uploads/${up.id}`, {
			headers: { ...this.linkHeaders(link), "upload-token": up.token },
			body,
		});
	}

	putPart(link, up, n, body) {
		return call("PUT", `${link.up}/uploads/${up.id}/parts/${n}`, {
			headers: { ...this.linkHeaders(link), "upload-token": up.token },
			body,
		});
	}

	complete(link, up) {
		return call("POST", `${link.up}/uploads/${up.id}/complete`, {
			headers: { ...this.linkHeaders(link), "upload-token": up.token },
		});
	}

	abort(link, up) {
		return call("DELETE", `${link.up}/uploads/${up.id}`, {
			headers: { ...this.linkHeaders(link), "upload-token": up.token },
			expect: [204],
		});
	}

	finalize(link, up) {
		return call("POST", `${link.up}/uploads/${up.id}/finalize`, {
			headers: { ...this.linkHeaders(link), "upload-token": up.token },
			expect: [202],
		});
	}

	revoke(link) {
		return call("POST", `${this.baseUrl}/api/links/${link.id}/revoke`, {
			headers: this.ownerHeaders,
			expect: [202],
		});
	}

	delete(link) {
		return call("DELETE", `${this.baseUrl}/api/links/${link.id}`, {
			headers: this.ownerHeaders,
			expect: [202],
		});
	}

	getLink(link) {
		return call("GET", `${this.baseUrl}/api/links/${link.id}`, { headers: this.ownerHeaders });
	}

	publicInfo(link) {
		return call("GET", link.up, { headers: this.linkHeaders(link) });
	}

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
