/**
 * JSON request bodies (issue 9, items 1 and 7): one rule decides that a body
 * is JSON, and the value that rule parsed is the value that is validated. A
 * body is never silently ignored: it is applied, or refused.
 */
import { describe, expect, it } from "vitest";
import {
	bearer,
	bodyOf,
	call,
	createLink,
	createOwner,
	expectProblem,
	type LinkBody,
} from "../helpers";

const SETTINGS = {
	password: "correct horse battery",
	maxFiles: 1,
	allowedExtensions: ["pdf"],
};

/** Media types that are JSON and must be accepted. */
const JSON_TYPES = [
	"application/json",
	"application/json; charset=utf-8",
	"application/json;charset=UTF-8",
	"APPLICATION/JSON",
	"application/json ; charset=utf-8",
	"application/merge-patch+json",
	"application/vnd.api+json",
	"application/ld+json",
];

/** Media types either refused or, if accepted, really applied. */
const ODD_TYPES = [
	"application/+json",
	"application/vnd.a+b+json",
	"application/jsonx",
	"application/json5",
	"application/x-json",
	"application/json+xml",
	"application/json, text/plain",
	"application/jsonp; charset=utf-8",
	"text/json",
	"text/plain",
	"text/plain; charset=utf-8",
	"application/octet-stream",
	"multipart/form-data; boundary=x",
	"application/x-www-form-urlencoded",
];

function send(
	method: string,
	path: string,
	apiKey: string,
	contentType: string,
	body: string,
): Promise<Response> {
	return call(path, {
		method,
		headers: { ...bearer(apiKey), "Content-Type": contentType },
		body,
	});
}

async function settingsOf(apiKey: string, linkId: string) {
	const res = await call(`/api/links/${linkId}`, { headers: bearer(apiKey) });
	expect(res.status).toBe(200);
	return (await bodyOf<{ link: LinkBody }>(res)).link.settings;
}

/** The body's settings, read back from the link: never the defaults. */
async function expectApplied(apiKey: string, linkId: string, maxFiles: number) {
	expect(await settingsOf(apiKey, linkId)).toMatchObject({
		maxFiles,
		allowedExtensions: ["pdf"],
		passwordRequired: true,
	});
}

/** PATCHes the test settings with `maxFiles`, sent under the media type `type`. */
function patchSettings(apiKey: string, linkId: string, type: string, maxFiles: number) {
	const body = JSON.stringify({ ...SETTINGS, maxFiles });
	return send("PATCH", `/api/links/${linkId}`, apiKey, type, body);
}

describe("JSON content types: a body is applied or refused, never ignored", () => {
	it("POST /api/links applies the body for every JSON media type", async () => {
		const { apiKey } = await createOwner();
		for (const type of JSON_TYPES) {
			const res = await send("POST", "/api/links", apiKey, type, JSON.stringify(SETTINGS));
			expect(res.status, type).toBe(201);
			const { link } = await bodyOf<{ link: LinkBody }>(res);
			await expectApplied(apiKey, link.id, 1);
		}
	});

	it("POST /api/links with an odd media type is 415 or applies the body", async () => {
		const { apiKey } = await createOwner();
		for (const type of ODD_TYPES) {
			const res = await send("POST", "/api/links", apiKey, type, JSON.stringify(SETTINGS));
			if (res.status === 415) {
				await expectProblem(res, 415, "unsupported-media-type");
				continue;
			}
			expect(res.status, type).toBe(201);
			const { link } = await bodyOf<{ link: LinkBody }>(res);
			await expectApplied(apiKey, link.id, 1);
		}
	});

	it("PATCH /api/links/:id applies the body for every JSON media type", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey);
		let maxFiles = 10;
		for (const type of JSON_TYPES) {
			maxFiles += 1;
			const res = await patchSettings(apiKey, link.id, type, maxFiles);
			expect(res.status, type).toBe(200);
			await expectApplied(apiKey, link.id, maxFiles);
		}
	});

	it("PATCH /api/links/:id with an odd media type is 415 or applies the body", async () => {
		const { apiKey } = await createOwner();
		let maxFiles = 10;
		for (const type of ODD_TYPES) {
			const { link } = await createLink(apiKey);
			maxFiles += 1;
			const res = await patchSettings(apiKey, link.id, type, maxFiles);
			if (res.status === 415) {
				await expectProblem(res, 415, "unsupported-media-type");
				expect(await settingsOf(apiKey, link.id), type).toMatchObject({
					maxFiles: 100,
					passwordRequired: false,
				});
				continue;
			}
			expect(res.status, type).toBe(200);
			await expectApplied(apiKey, link.id, maxFiles);
		}
	});

	it("unknown keys are refused under every accepted JSON media type", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey);
		for (const type of JSON_TYPES) {
			const body = JSON.stringify({ state: "deleted" });
			await expectProblem(
				await send("POST", "/api/links", apiKey, type, body),
				400,
				"validation-failed",
			);
			await expectProblem(
				await send("PATCH", `/api/links/${link.id}`, apiKey, type, body),
				400,
				"validation-failed",
			);
		}
	});
});

describe("empty and malformed JSON bodies", () => {
	it("an empty or whitespace-only JSON body counts as {} (all fields optional)", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey, { maxFiles: 5 });
		for (const body of ["", " ", "\n", " \t\r\n "]) {
			const patched = await send(
				"PATCH",
				`/api/links/${link.id}`,
				apiKey,
				"application/json",
				body,
			);
			expect(patched.status, JSON.stringify(body)).toBe(200);
			expect((await bodyOf<{ link: LinkBody }>(patched)).link.settings).toMatchObject({
				maxFiles: 5,
			});
			const created = await send("POST", "/api/links", apiKey, "application/json", body);
			expect(created.status, JSON.stringify(body)).toBe(201);
			expect((await bodyOf<{ link: LinkBody }>(created)).link.settings).toMatchObject({
				maxFiles: 100,
			});
		}
	});

	it("an empty PATCH without a content type changes nothing", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey, { maxFiles: 5 });
		const res = await call(`/api/links/${link.id}`, { method: "PATCH", headers: bearer(apiKey) });
		expect(res.status).toBe(200);
		expect(await settingsOf(apiKey, link.id)).toMatchObject({ maxFiles: 5 });
	});

	it("truly malformed JSON is 400 malformed-json on POST and PATCH", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey);
		for (const body of ["{", "{bad", "[1,", '{"a":1}}', "nul", " } ", "\u0000"]) {
			await expectProblem(
				await send("POST", "/api/links", apiKey, "application/json", body),
				400,
				"malformed-json",
			);
			await expectProblem(
				await send("PATCH", `/api/links/${link.id}`, apiKey, "application/json", body),
				400,
				"malformed-json",
			);
		}
	});
});
