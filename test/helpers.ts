/** Shared builders for tests: requests against the real Worker, owners, links. */

import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { parseUploadUrl, type SettingsInput, UploaderClient } from "../src/client";
import type { CommandView, LinkView } from "../src/contract";
import { adminClient, ownerClient } from "./owner-client";

export { parseUploadUrl };

import type { LinkDO } from "../src/do/link-do";
import type { UploadView } from "../src/do/rpc";
import { type Faults, installFaults } from "./hooks";

export const ADMIN = { Authorization: "Bearer test-admin-token" };
export const ORIGIN = "https://receive.test";

export type Json = Record<string, unknown>;

export function call(path: string, init: RequestInit = {}): Promise<Response> {
	return exports.default.fetch(`${ORIGIN}${path}`, init);
}

export function sendJson(
	method: string,
	path: string,
	body: unknown,
	headers: Record<string, string> = {},
): Promise<Response> {
	return call(path, {
		method,
		headers: { "Content-Type": "application/json", ...headers },
		body: JSON.stringify(body),
	});
}

/**
 * An uploader request to the link of `uploadUrl` (`<origin>/r/<linkId>#<secret>`):
 * `path` is appended to `/r/<linkId>` and the secret goes in `Link-Secret`,
 * as every uploader client sends it (a `Link-Secret` in `init` wins).
 */
export function callLink(
	uploadUrl: string,
	path: string,
	init: RequestInit = {},
): Promise<Response> {
	const { linkId, secret } = parseUploadUrl(uploadUrl);
	const headers = new Headers(init.headers);
	if (!headers.has("Link-Secret")) headers.set("Link-Secret", secret);
	return call(`/r/${linkId}${path}`, { ...init, headers });
}

/** An uploader request on one upload session: `/uploads/<uploadId><path>` with its Upload-Token. */
export function callSession(
	uploadUrl: string,
	session: { uploadId: string; uploadToken: string },
	path = "",
	init: RequestInit = {},
): Promise<Response> {
	const headers = new Headers(init.headers);
	headers.set("Upload-Token", session.uploadToken);
	return callLink(uploadUrl, `/uploads/${session.uploadId}${path}`, { ...init, headers });
}

/** A JSON uploader request (see `callLink`). */
export function sendLinkJson(
	method: string,
	uploadUrl: string,
	path: string,
	body: unknown,
	headers: Record<string, string> = {},
): Promise<Response> {
	return callLink(uploadUrl, path, {
		method,
		headers: { "Content-Type": "application/json", ...headers },
		body: JSON.stringify(body),
	});
}

export async function bodyOf<T = Json>(res: Response): Promise<T> {
	return (await res.json()) as T;
}

export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

export async function createOwner(name = "Owner"): Promise<{ ownerId: string; apiKey: string }> {
	const body = await adminClient().createOwner(name);
	return { ownerId: body.owner.id, apiKey: body.apiKey };
}

/** A link as the API answers it (the contract's `LinkView`). */
export type LinkBody = LinkView;

export async function createLink(
	apiKey: string,
	settings: Json = {},
): Promise<{ link: LinkBody; uploadUrl: string }> {
	// Tests pass settings as loose JSON; the service validates them (201 or a thrown problem).
	return ownerClient(apiKey).createLink(settings as SettingsInput);
}

/** Asserts an RFC 9457 problem and returns its body. */
export async function expectProblem(
	res: Response,
	status: number,
	code?: string,
): Promise<Json & { code: string; status: number }> {
	const text = await res.text();
	if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text}`);
	if (res.headers.get("content-type") !== "application/problem+json") {
		throw new Error(`not a problem: ${res.headers.get("content-type")} ${text}`);
	}
	const body = JSON.parse(text) as Json & { code: string; status: number };
	if (body.status !== status) throw new Error(`problem status ${body.status} != ${status}`);
	if (code !== undefined && body.code !== code)
		throw new Error(`expected code ${code}, got ${body.code}: ${text}`);
	if (/\bat\s.+:\d+:\d+/.test(text)) throw new Error(`stack trace leaked: ${text}`);
	return body;
}

/** A command as the API answers it (the contract's `CommandView`). */
export type CommandBody = CommandView;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Reads a command as admin. */
export async function readCommand(id: string): Promise<CommandBody> {
	return adminClient().getCommand(id);
}

/** Polls a command until its status is one of `statuses` (through the real queue). */
export async function waitForCommand(
	id: string,
	statuses: string[] = ["succeeded"],
	timeoutMs = 10_000,
): Promise<CommandBody> {
	return adminClient().waitForCommand(id, { statuses, timeoutMs, pollMs: 50 });
}

export async function readLink(linkId: string): Promise<Response> {
	return adminClient().getLinkResponse(linkId);
}

export async function issue(
	kind: "revoke" | "delete",
	linkId: string,
	key: string,
	headers: Record<string, string> = {},
): Promise<Response> {
	return ownerClient(key).lifecycleResponse(kind, linkId, { headers });
}

export function stubOf(linkId: string): DurableObjectStub<LinkDO> {
	return env.LINK_DO.get(env.LINK_DO.idFromName(linkId));
}

/** Injects faults into the link's live DO instance (lost if it is evicted). */
export async function setFaults(linkId: string, faults: Faults): Promise<void> {
	await runInDurableObject(stubOf(linkId), (instance: LinkDO) => installFaults(instance, faults));
}

/** Makes the named timers due now and runs the alarm, as the passage of time would. */
export async function fireTimers(linkId: string, names: string[]): Promise<void> {
	const stub = stubOf(linkId);
	await runInDurableObject(stub, (_i: LinkDO, state) => {
		for (const name of names)
			state.storage.sql.exec("UPDATE timers SET due_at = 0 WHERE name = ?", name);
	});
	await runDurableObjectAlarm(stub);
}

/** Reads the link's epoch straight from its DO storage. */
export async function storedEpoch(linkId: string): Promise<number> {
	return runInDurableObject(stubOf(linkId), (_i: LinkDO, state) => {
		const row = state.storage.sql.exec<{ epoch: number }>("SELECT epoch FROM link").one();
		return row.epoch;
	});
}

/** The uploader client, talking to the Worker in this runtime. */
export function uploaderFor(uploadUrl: string, concurrency = 4): UploaderClient {
	return new UploaderClient(uploadUrl, {
		fetch: (input, init) => exports.default.fetch(input, init),
		concurrency,
		pollMs: 25,
		maxWaitMs: 20_000,
		sleep: (ms) => sleep(Math.min(ms, 50)),
	});
}

/** Deterministic bytes of `size` (fast to build, distinct per seed). */
export function bytesOf(size: number, seed = 1): Uint8Array {
	const out = new Uint8Array(size);
	let x = seed * 2654435761;
	for (let i = 0; i < size; i += 4) {
		x = (x * 1103515245 + 12345) >>> 0;
		out[i] = x & 255;
		out[i + 1] = (x >>> 8) & 255;
		out[i + 2] = (x >>> 16) & 255;
		out[i + 3] = (x >>> 24) & 255;
	}
	return out;
}

export async function sha256HexOf(data: Uint8Array | ArrayBuffer): Promise<string> {
	const digest = await crypto.subtle.digest("SHA-256", data);
	return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Keys under a link's R2 prefix. */
export async function r2Keys(linkId: string): Promise<string[]> {
	const page = await env.FILES.list({ prefix: `links/${linkId}/` });
	return page.objects.map((o) => o.key);
}

/** Starts an upload with raw HTTP; returns the session and the upload body. */
export async function initRaw(
	uploadUrl: string,
	body: Record<string, unknown>,
	headers: Record<string, string> = {},
): Promise<Response> {
	return sendLinkJson("POST", uploadUrl, `/uploads`, body, headers);
}

/** Audits a link (sweeping first) and asserts it is settled with no invariant violated. */
export async function expectClean(linkId: string): Promise<void> {
	const res = await adminClient().auditResponse(linkId, { sweep: true });
	if (res.status !== 200) throw new Error(`audit: ${res.status} ${await res.text()}`);
	const report = (await res.json()) as { settled: boolean; violations: string[] };
	if (!report.settled || report.violations.length > 0) {
		throw new Error(`audit of ${linkId}: ${JSON.stringify(report)}`);
	}
}

/** A fresh owner and link; returns the owner's key, the link id and its upload URL. */
export async function openLink(settings: Json = {}) {
	const { apiKey } = await createOwner();
	const { link, uploadUrl } = await createLink(apiKey, settings);
	return { apiKey, linkId: link.id, uploadUrl };
}

/** An upload init (raw HTTP) that must succeed: the upload and its token. */
export interface Created {
	upload: UploadView;
	uploadToken: string;
}

export async function initUpload(uploadUrl: string, body: Json): Promise<Created> {
	const res = await initRaw(uploadUrl, body);
	if (res.status !== 201) throw new Error(`init: ${res.status} ${await res.text()}`);
	return bodyOf<Created>(res);
}

/** `Upload-Metadata` (tus format): `key base64(utf-8 value)` pairs, comma-separated. */
export function uploadMetadata(meta: Record<string, string>): string {
	const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));
	return Object.entries(meta)
		.map(([k, v]) => `${k} ${b64(v)}`)
		.join(",");
}

/** A one-request upload (`POST /r/<linkId>/files`): the raw body and its metadata. */
export function sendSmall(
	uploadUrl: string,
	body: BodyInit | null,
	meta: Record<string, string> = { filename: "small.txt" },
	headers: Record<string, string> = {},
): Promise<Response> {
	return callLink(uploadUrl, "/files", {
		method: "POST",
		headers: { "Upload-Metadata": uploadMetadata(meta), ...headers },
		body,
	});
}

/** Durable Object calls a response reports in `Server-Timing` (src/api/middleware/do-calls.ts). */
export function doCalls(res: Response): number {
	const m = /do;desc="(\d+) calls"/.exec(res.headers.get("server-timing") ?? "");
	if (!m) throw new Error(`no Server-Timing: ${res.headers.get("server-timing")}`);
	return Number(m[1]);
}
