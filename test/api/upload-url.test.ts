/**
 * The upload URL again: the link secret is kept sealed (src/lib/seal.ts) so
 * the owner (or an admin) can get the URL back; nobody else can, storage
 * holds no secret in clear, and a box opens only for its own link.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { LinkDO } from "../../src/do/link-do";
import { openLinkSecret, sealLinkSecret } from "../../src/lib/seal";
import {
	ADMIN,
	bearer,
	call,
	createLink,
	createOwner,
	expectProblem,
	parseUploadUrl,
	stubOf,
	uploaderFor,
} from "../helpers";

const boxOf = (linkId: string) =>
	runInDurableObject(stubOf(linkId), (_i: LinkDO, state) =>
		state.storage.sql
			.exec<{ token_hash: string; secret_box: string | null }>(
				"SELECT token_hash, secret_box FROM link",
			)
			.one(),
	);

describe("GET /api/links/:linkId/upload-url", () => {
	it("answers the owner and an admin the URL created with the link; it still uploads", async () => {
		const { apiKey } = await createOwner();
		const { link, uploadUrl } = await createLink(apiKey, { title: "Again" });
		for (const auth of [bearer(apiKey), ADMIN]) {
			const res = await call(`/api/links/${link.id}/upload-url`, { headers: auth });
			expect(res.status).toBe(200);
			expect(res.headers.get("cache-control")).toBe("no-store");
			expect(await res.json()).toEqual({ uploadUrl });
		}
		const info = await uploaderFor(uploadUrl).info();
		expect(info.title).toBe("Again");
	});

	it("another owner, no credentials and a forged id get nothing", async () => {
		const { apiKey } = await createOwner();
		const other = await createOwner("Other");
		const { link } = await createLink(apiKey);
		await expectProblem(
			await call(`/api/links/${link.id}/upload-url`, { headers: bearer(other.apiKey) }),
			404,
			"link-not-found",
		);
		await expectProblem(await call(`/api/links/${link.id}/upload-url`), 401, "unauthorized");
		await expectProblem(
			await call(`/api/links/lnk_${"0".repeat(26)}/upload-url`, { headers: bearer(apiKey) }),
			404,
			"link-not-found",
		);
	});

	it("storage keeps the secret only sealed and hashed", async () => {
		const { apiKey } = await createOwner();
		const { link, uploadUrl } = await createLink(apiKey);
		const { secret } = parseUploadUrl(uploadUrl);
		const row = await boxOf(link.id);
		expect(row.secret_box).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
		expect(row.secret_box).not.toContain(secret);
		expect(row.token_hash).not.toContain(secret);
		expect(await openLinkSecret(env.LINK_ID_SECRET, link.id, row.secret_box ?? "")).toBe(secret);
	});

	it("a box opens only for its own link and under the Worker's key", async () => {
		const box = await sealLinkSecret("worker-key", "lnk_a", "the-secret");
		expect(await openLinkSecret("worker-key", "lnk_a", box)).toBe("the-secret");
		expect(await openLinkSecret("worker-key", "lnk_b", box)).toBeNull();
		expect(await openLinkSecret("other-key", "lnk_a", box)).toBeNull();
		const [v, iv, data] = box.split(".");
		const flipped = `${data?.slice(0, -2)}${data?.endsWith("A") ? "B" : "A"}${data?.slice(-1)}`;
		expect(await openLinkSecret("worker-key", "lnk_a", `${v}.${iv}.${flipped}`)).toBeNull();
		for (const bad of ["", "v1", "v2.a.b", "v1.!!.b", `${box}.x`])
			expect(await openLinkSecret("worker-key", "lnk_a", bad), bad).toBeNull();
	});

	it("a link made before secrets were sealed answers upload-url-unavailable", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey);
		await runInDurableObject(stubOf(link.id), (_i: LinkDO, state) => {
			state.storage.sql.exec("UPDATE link SET secret_box = NULL");
		});
		await expectProblem(
			await call(`/api/links/${link.id}/upload-url`, { headers: bearer(apiKey) }),
			404,
			"upload-url-unavailable",
		);
	});
});
