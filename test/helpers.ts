/** Shared builders for tests: requests against the real Worker, owners, links. */
import { exports } from "cloudflare:workers";

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

export async function bodyOf<T = Json>(res: Response): Promise<T> {
	return (await res.json()) as T;
}

export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

export async function createOwner(name = "Owner"): Promise<{ ownerId: string; apiKey: string }> {
	const res = await sendJson("POST", "/api/admin/owners", { name }, ADMIN);
	if (res.status !== 201) throw new Error(`createOwner: ${res.status} ${await res.text()}`);
	const body = await bodyOf<{ owner: { id: string }; apiKey: string }>(res);
	return { ownerId: body.owner.id, apiKey: body.apiKey };
}

export interface LinkBody {
	id: string;
	ownerId: string;
	state: string;
	phase: string;
	closing: boolean;
	epoch: number;
	terminalEpoch: number | null;
	settings: Json;
	pendingCommands: Json[];
}

export async function createLink(
	apiKey: string,
	settings: Json = {},
): Promise<{ link: LinkBody; linkToken: string; uploadUrl: string }> {
	const res = await sendJson("POST", "/api/links", settings, bearer(apiKey));
	if (res.status !== 201) throw new Error(`createLink: ${res.status} ${await res.text()}`);
	return bodyOf(res);
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
