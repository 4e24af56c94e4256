import { describe, expect, it } from "vitest";
import {
	ADMIN,
	bearer,
	bodyOf,
	call,
	createLink,
	createOwner,
	expectProblem,
	sendJson,
} from "../helpers";

describe("bad input never reaches a 500", () => {
	it("malformed JSON is 400 malformed-json", async () => {
		const { apiKey } = await createOwner();
		for (const body of ["{", "{bad", "[1,", '{"a":1}}', "nul"]) {
			const res = await call("/api/links", {
				method: "POST",
				headers: { ...bearer(apiKey), "Content-Type": "application/json" },
				body,
			});
			await expectProblem(res, 400, "malformed-json");
		}
	});

	it("a JSON body that is not an object, or has wrong types, is 400 validation-failed", async () => {
		const { apiKey } = await createOwner();
		for (const body of [
			[],
			"x",
			1,
			null,
			{ maxFiles: -1 },
			{ maxFiles: 1.5 },
			{ title: "" },
			{ title: "x".repeat(201) },
			{ lateFinalize: "maybe" },
			{ allowedExtensions: ["../etc"] },
			{ allowedMimeTypes: ["nope"] },
			{ expiresAt: "tomorrow" },
			{ password: "short" },
		]) {
			const p = await expectProblem(
				await sendJson("POST", "/api/links", body, bearer(apiKey)),
				400,
				"validation-failed",
			);
			expect(Array.isArray(p.issues)).toBe(true);
		}
	});

	it("a non-JSON content type is 415", async () => {
		const { apiKey } = await createOwner();
		const res = await call("/api/links", {
			method: "POST",
			headers: { ...bearer(apiKey), "Content-Type": "text/plain" },
			body: "{}",
		});
		await expectProblem(res, 415, "unsupported-media-type");
	});

	it("an oversize body is 413", async () => {
		const { apiKey } = await createOwner();
		const res = await sendJson(
			"POST",
			"/api/links",
			{ description: "x".repeat(70_000) },
			bearer(apiKey),
		);
		await expectProblem(res, 413, "payload-too-large");
	});

	it("unknown routes and methods are 404 problems", async () => {
		await expectProblem(await call("/nope"), 404, "not-found");
		await expectProblem(await call("/api/links/x/y/z", { headers: ADMIN }), 404, "not-found");
		await expectProblem(
			await call("/api/links", { method: "PUT", headers: ADMIN }),
			404,
			"not-found",
		);
	});

	it("bad credentials are 401; a malformed link id is 404", async () => {
		await expectProblem(await call("/api/links"), 401, "unauthorized");
		await expectProblem(
			await call("/api/links", { headers: { Authorization: "Bearer rlk_nope" } }),
			401,
			"unauthorized",
		);
		await expectProblem(
			await call("/api/links", { headers: { Authorization: "Basic abc" } }),
			401,
			"unauthorized",
		);
		await expectProblem(
			await call("/api/links", { headers: { Authorization: `Bearer ${"a".repeat(600)}` } }),
			401,
		);
		await expectProblem(
			await call("/api/links/not-a-link", { headers: ADMIN }),
			404,
			"link-not-found",
		);
		await expectProblem(
			await call("/api/links/lnk_00000000000000000000", { headers: ADMIN }),
			404,
			"link-not-found",
		);
	});

	it("bad pagination is 400", async () => {
		const { apiKey } = await createOwner();
		await expectProblem(await call("/api/links?cursor=%%%", { headers: bearer(apiKey) }), 400);
		await expectProblem(
			await call("/api/links?cursor=bm9wZQ", { headers: bearer(apiKey) }),
			400,
			"invalid-cursor",
		);
		await expectProblem(
			await call("/api/links?limit=0", { headers: bearer(apiKey) }),
			400,
			"validation-failed",
		);
		await expectProblem(
			await call("/api/links?limit=1000", { headers: bearer(apiKey) }),
			400,
			"validation-failed",
		);
		await expectProblem(
			await call("/api/admin/links?state=zombie", { headers: ADMIN }),
			400,
			"validation-failed",
		);
	});

	it("only owners create links", async () => {
		await expectProblem(await sendJson("POST", "/api/links", {}, ADMIN), 403, "forbidden");
	});

	it("strange but valid titles are stored as given, minus bidi controls (issue 9 item 10)", async () => {
		const { apiKey } = await createOwner();
		const title = "Résumé \u202e.gpj.exe ../../etc 🙂";
		const { link } = await createLink(apiKey, { title });
		const got = await bodyOf<{ link: { settings: { title: string } } }>(
			await call(`/api/links/${link.id}`, { headers: bearer(apiKey) }),
		);
		expect(got.link.settings.title).toBe("Résumé .gpj.exe ../../etc 🙂");
	});
});

describe("documentation", () => {
	it("serves an OpenAPI document generated from the schemas", async () => {
		const res = await call("/openapi.json");
		expect(res.status).toBe(200);
		const spec = await bodyOf<{
			openapi: string;
			servers?: { url: string }[];
			info: { license?: { name: string; identifier?: string } };
			paths: Record<string, Record<string, { requestBody?: unknown }>>;
		}>(res);
		expect(spec.openapi).toMatch(/^3\./);
		// What `redocly lint` (npm run lint:openapi) asks for: servers and a licence.
		expect(spec.servers).toEqual([expect.objectContaining({ url: "/" })]);
		expect(spec.info.license).toEqual({
			name: "Proprietary",
			identifier: "LicenseRef-Proprietary",
		});
		expect(Object.keys(spec.paths)).toEqual(
			expect.arrayContaining([
				"/api/links",
				"/api/links/{linkId}",
				"/api/links/{linkId}/pause",
				"/api/admin/owners",
				"/r/{linkId}",
			]),
		);
		const body = JSON.stringify(spec.paths["/api/links"]?.post?.requestBody);
		expect(body).toContain("lateFinalize");
		expect(body).toContain("maxFiles");
	});

	it("serves a human-readable reference and the problem catalogue", async () => {
		const ref = await call("/docs");
		expect(ref.status).toBe(200);
		expect(await ref.text()).toContain("/api/links/{linkId}/pause");
		const problems = await call("/docs/problems");
		expect(await problems.text()).toContain('id="epoch-mismatch"');
	});
});
