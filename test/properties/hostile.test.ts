/**
 * Hostile input against every endpoint, generated: JSON bodies (deep, huge,
 * unicode, wrong types), headers, path parameters and query strings, and
 * link / upload / retry tokens of every length, truncated or bit-flipped.
 * Never a 500, never a 2xx for a bad token, never a stack trace; always a
 * problem+json whose `code` is documented and whose status matches it.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { PROBLEM_CODES } from "../../src/domain/problems";
import {
	ADMIN,
	bodyOf,
	bytesOf,
	type CommandBody,
	call,
	createLink,
	createOwner,
	issue,
	parseUploadUrl,
	uploaderFor,
} from "../helpers";

interface Fixture {
	apiKey: string;
	linkId: string;
	linkSecret: string;
	uploadId: string;
	uploadToken: string;
	commandId: string;
	retryToken: string;
	fileId: string;
	ownerId: string;
	/** An owner whose key the rotation route may rotate (the fixture's owner key must keep working). */
	spareOwnerId: string;
}

let f: Fixture;

beforeAll(async () => {
	const { apiKey, ownerId } = await createOwner("hostile");
	const spare = await createOwner("hostile spare");
	const { link, uploadUrl } = await createLink(apiKey, { maxFiles: 1000 });
	const client = uploaderFor(uploadUrl);
	const done = await client.upload(bytesOf(10), { name: "x.txt" });
	const { session } = await client.init(10, { name: "open.txt" });
	const other = await createLink(apiKey);
	const res = await issue("revoke", other.link.id, apiKey);
	const accepted = await bodyOf<{ command: CommandBody; retryToken: string }>(res);
	f = {
		apiKey,
		linkId: link.id,
		linkSecret: parseUploadUrl(uploadUrl).secret,
		uploadId: session.uploadId,
		uploadToken: session.uploadToken,
		commandId: accepted.command.id,
		retryToken: accepted.retryToken,
		fileId: done.upload.fileId ?? "",
		ownerId,
		spareOwnerId: spare.ownerId,
	};
});

/** A token mangled: truncated, extended, one character flipped, replaced, or empty. */
const mangled = (valid: () => string) =>
	fc.oneof(
		fc.nat().map((n) => valid().slice(0, n % Math.max(1, valid().length))),
		fc.string({ minLength: 1, maxLength: 8 }).map((s) => valid() + s),
		fc.nat().map((n) => {
			const v = valid();
			const i = n % v.length;
			const c = v[i] === "A" ? "B" : "A";
			return v.slice(0, i) + c + v.slice(i + 1);
		}),
		fc.string({ maxLength: 200 }),
		fc.constantFrom("", "../", "..%2F..%2Fapi", "%00", "\u202e", "a".repeat(5000), "🙂".repeat(40)),
	);

const weird = fc.oneof(
	fc.string({ maxLength: 50 }),
	fc.string({ unit: "binary", maxLength: 50 }),
	fc.constantFrom(
		"../../etc/passwd",
		"a\u0000b",
		"\u202eexe.jpg",
		"x".repeat(3000),
		"photo.jpg.php",
		"%2e%2e%2f",
		"CON",
		" ",
	),
);

const deep = fc.nat({ max: 3000 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}`);

const jsonBody = fc.oneof(
	fc.jsonValue().map((v) => JSON.stringify(v)),
	fc
		.record(
			{
				name: weird,
				size: fc.oneof(fc.integer(), fc.double(), fc.constant(2 ** 60), fc.string()),
				type: weird,
				sha256: weird,
				password: weird,
				title: weird,
				maxFiles: fc.oneof(fc.integer(), fc.constant(null), fc.string()),
				expiresAt: weird,
				extra: fc.jsonValue(),
			},
			{ requiredKeys: [] },
		)
		.map((v) => JSON.stringify(v)),
	deep,
	fc.string({ maxLength: 300 }),
	fc.constant("x".repeat(70_000)),
	fc.constant(""),
);

type Route = {
	method: string;
	path: (t: Tokens) => string;
	tokenKinds: (keyof Tokens)[];
	/** Headers the route always gets (tus: the protocol version). */
	headers?: Record<string, string>;
};
const TUS = { "Tus-Resumable": "1.0.0", "Upload-Length": "10" };
interface Tokens {
	/** The link secret (the `Link-Secret` header of uploader routes). */
	link: string;
	upload: string;
	linkId: string;
	commandId: string;
	fileId: string;
	uploadToken: string;
	retryToken: string;
	ownerId: string;
}

const ROUTES: Route[] = [
	{ method: "GET", path: (t) => `/r/${t.linkId}`, tokenKinds: ["link", "linkId"] },
	{
		method: "POST",
		path: (t) => `/r/${t.linkId}/tus/`,
		tokenKinds: ["link", "linkId"],
		headers: TUS,
	},
	{
		method: "PATCH",
		path: (t) => `/r/${t.linkId}/tus/${t.upload}`,
		tokenKinds: ["link", "linkId", "upload"],
		headers: { ...TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream" },
	},
	{
		method: "HEAD",
		path: (t) => `/r/${t.linkId}/tus/${t.upload}`,
		tokenKinds: ["link", "linkId", "upload"],
		headers: TUS,
	},
	{
		method: "DELETE",
		path: (t) => `/r/${t.linkId}/tus/${t.upload}`,
		tokenKinds: ["link", "linkId", "upload"],
		headers: TUS,
	},
	{ method: "POST", path: (t) => `/r/${t.linkId}/uploads`, tokenKinds: ["link", "linkId"] },
	{
		method: "PUT",
		path: (t) => `/r/${t.linkId}/uploads/${t.upload}`,
		tokenKinds: ["link", "linkId", "upload", "uploadToken"],
	},
	{
		method: "PUT",
		path: (t) => `/r/${t.linkId}/uploads/${t.upload}/parts/1`,
		tokenKinds: ["link", "linkId", "upload", "uploadToken"],
	},
	{
		method: "POST",
		path: (t) => `/r/${t.linkId}/uploads/${t.upload}/complete`,
		tokenKinds: ["link", "linkId", "upload", "uploadToken"],
	},
	{
		method: "POST",
		path: (t) => `/r/${t.linkId}/uploads/${t.upload}/finalize`,
		tokenKinds: ["link", "linkId", "upload", "uploadToken"],
	},
	{
		method: "DELETE",
		path: (t) => `/r/${t.linkId}/uploads/${t.upload}`,
		tokenKinds: ["link", "linkId", "upload", "uploadToken"],
	},
	{
		method: "GET",
		path: (t) => `/r/${t.linkId}/uploads/${t.upload}`,
		tokenKinds: ["link", "linkId", "upload", "uploadToken"],
	},
	{ method: "GET", path: (t) => `/api/commands/${t.commandId}`, tokenKinds: ["retryToken"] },
	{ method: "GET", path: (t) => `/api/links/${t.linkId}`, tokenKinds: [] },
	{ method: "PATCH", path: (t) => `/api/links/${t.linkId}`, tokenKinds: [] },
	{ method: "GET", path: (t) => `/api/links/${t.linkId}/uploads`, tokenKinds: [] },
	{ method: "GET", path: (t) => `/api/links/${t.linkId}/files`, tokenKinds: [] },
	{ method: "GET", path: (t) => `/api/links/${t.linkId}/commands`, tokenKinds: [] },
	{ method: "GET", path: (t) => `/api/files/${t.fileId}/content`, tokenKinds: [] },
	{ method: "GET", path: () => "/api/links", tokenKinds: [] },
	{ method: "POST", path: () => "/api/links", tokenKinds: [] },
	{ method: "GET", path: () => "/api/admin/links", tokenKinds: [] },
	{ method: "GET", path: () => "/api/admin/dead-letters", tokenKinds: [] },
	{ method: "POST", path: () => "/api/admin/owners", tokenKinds: [] },
	{ method: "GET", path: () => "/api/admin/owners", tokenKinds: [] },
	{ method: "GET", path: (t) => `/api/admin/owners/${t.ownerId}`, tokenKinds: ["ownerId"] },
	{ method: "POST", path: () => `/api/admin/owners/${f.spareOwnerId}/keys`, tokenKinds: [] },
];

const hostileRequest = fc.record({
	route: fc.nat({ max: ROUTES.length - 1 }),
	mangle: fc.constantFrom(
		"link",
		"upload",
		"uploadToken",
		"retryToken",
		"linkId",
		"commandId",
		"fileId",
		"ownerId",
		"none",
	),
	bad: fc.oneof(
		mangled(() => f.linkSecret),
		mangled(() => f.uploadId),
		mangled(() => f.uploadToken),
		mangled(() => f.retryToken),
		mangled(() => f.linkId),
		mangled(() => f.commandId),
		mangled(() => f.ownerId),
	),
	auth: fc.constantFrom("owner", "admin", "none", "garbage"),
	body: jsonBody,
	contentType: fc.constantFrom(
		"application/json",
		"text/plain",
		"application/x-www-form-urlencoded",
		"",
		"application/json; charset=utf-8",
	),
	query: fc.oneof(
		fc.constant(""),
		fc.string({ maxLength: 60 }).map((q) => `?${encodeURIComponent(q)}`),
		fc.constantFrom(
			"?limit=0",
			"?limit=abc",
			"?cursor=%00",
			"?cursor=bm9wZQ",
			"?state=zombie",
			"?limit=100&cursor=",
		),
	),
	headers: fc.record(
		{
			"If-Match": weird,
			"Idempotency-Key": weird,
			Range: fc.oneof(
				weird,
				fc.constantFrom("bytes=0-", "bytes=-0", "bytes=5-1", "bytes=99999999999-"),
			),
		},
		{ requiredKeys: [] },
	),
});

function safeHeader(value: string): string | null {
	return /^[\t\x20-\x7e\x80-\xff]*$/.test(value) ? value : null;
}

describe("hostile input", () => {
	it("never answers 500, a stack trace, an undocumented code, or 2xx for a bad token", async () => {
		await fc.assert(
			fc.asyncProperty(hostileRequest, async (r) => {
				const route = ROUTES[r.route] as Route;
				const tokens = goodTokens();
				const mangledKind = r.mangle === "none" ? null : (r.mangle as keyof Tokens);
				if (mangledKind) tokens[mangledKind] = r.bad;
				const headers = new Headers();
				const auth = {
					owner: `Bearer ${f.apiKey}`,
					admin: ADMIN.Authorization,
					none: "",
					garbage: "Bearer rlk_garbage",
				}[r.auth];
				if (auth) headers.set("Authorization", auth);
				if (r.contentType) headers.set("Content-Type", r.contentType);
				for (const [k, v] of Object.entries(route.headers ?? {})) headers.set(k, v);
				// A token that cannot be a header value is not sent at all: the request then carries
				// no bad token of that kind (e.g. an owner reading its command without a Retry-Token).
				const unsent = new Set<keyof Tokens>();
				const sendHeader = (name: string, kind: keyof Tokens) => {
					const value = safeHeader(tokens[kind]);
					if (value === null) unsent.add(kind);
					else headers.set(name, value);
				};
				sendHeader("Link-Secret", "link");
				sendHeader("Upload-Token", "uploadToken");
				if (route.tokenKinds.includes("retryToken")) sendHeader("Retry-Token", "retryToken");
				for (const [k, v] of Object.entries(r.headers)) {
					const value = safeHeader(v as string);
					if (value !== null) headers.set(k, value);
				}
				let path: string;
				try {
					path = route
						.path(tokens)
						.split("/")
						.map((seg) => (seg === "" ? seg : encodeURIComponent(decodeSafe(seg))))
						.join("/");
				} catch {
					return;
				}
				// A mangled segment of "." or ".." is resolved away by URL parsing: the request would
				// reach another route (e.g. /r/.. is /), which says nothing about this one.
				if (new URL(path, "https://x").pathname.split("/").length !== path.split("/").length)
					return;
				const hasBody = !["GET", "HEAD", "DELETE"].includes(route.method);
				// Mutating routes: never let a valid request change the fixtures.
				if (
					!mangledKind &&
					["PUT", "DELETE", "PATCH"].includes(route.method) &&
					r.auth !== "garbage"
				)
					return;
				const res = await call(`${path}${r.query}`, {
					method: route.method,
					headers,
					...(hasBody ? { body: r.body } : {}),
				});
				const text = await res.text();
				expect(res.status, text).toBeLessThan(500);
				expect(text).not.toMatch(/\bat\s+\S+\s+\(?\S+:\d+:\d+\)?/);
				const usedBadToken =
					mangledKind !== null &&
					route.tokenKinds.includes(mangledKind) &&
					!unsent.has(mangledKind) &&
					tokens[mangledKind] !== goodValue(mangledKind);
				if (usedBadToken)
					expect(res.status, `${route.method} ${path}: ${text}`).toBeGreaterThanOrEqual(400);
				// A HEAD answer has no body to read.
				if (res.status >= 400 && route.method !== "HEAD") {
					expect(res.headers.get("content-type")).toBe("application/problem+json");
					const p = JSON.parse(text) as { code: keyof typeof PROBLEM_CODES; status: number };
					expect(Object.keys(PROBLEM_CODES)).toContain(p.code);
					expect(p.status).toBe(res.status);
					expect(PROBLEM_CODES[p.code].status).toBe(res.status);
				}
			}),
			{ numRuns: 400, verbose: 1 },
		);
	}, 600_000);
});

/** Every token of the fixture, unmangled. */
function goodTokens(): Tokens {
	return {
		link: f.linkSecret,
		upload: f.uploadId,
		linkId: f.linkId,
		commandId: f.commandId,
		fileId: f.fileId,
		uploadToken: f.uploadToken,
		retryToken: f.retryToken,
		ownerId: f.ownerId,
	};
}

function goodValue(kind: keyof Tokens): string {
	return goodTokens()[kind];
}

function decodeSafe(seg: string): string {
	try {
		return decodeURIComponent(seg);
	} catch {
		return seg;
	}
}
