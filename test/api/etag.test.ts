/**
 * Issue 9, item 11: the ETag validates settings too. It is
 * `"<epoch>.<settingsRevision>"`; a settings PATCH with a stale one is 412
 * `settings-mismatch`, while lifecycle calls compare only the epoch and keep
 * accepting the bare `"<epoch>"`.
 */
import { describe, expect, it } from "vitest";
import {
	bearer,
	bodyOf,
	call,
	createOwner,
	expectProblem,
	issue,
	type LinkBody,
	sendJson,
} from "../helpers";

async function fresh() {
	const { apiKey } = await createOwner();
	const res = await sendJson("POST", "/api/links", { title: "original" }, bearer(apiKey));
	expect(res.status).toBe(201);
	const { link } = await bodyOf<{ link: LinkBody }>(res);
	return { apiKey, linkId: link.id, etag: res.headers.get("ETag") ?? "" };
}

const patch = (linkId: string, apiKey: string, body: unknown, ifMatch?: string) =>
	sendJson("PATCH", `/api/links/${linkId}`, body, {
		...bearer(apiKey),
		...(ifMatch ? { "If-Match": ifMatch } : {}),
	});

const post = (path: string, apiKey: string, ifMatch?: string) =>
	call(path, {
		method: "POST",
		headers: { ...bearer(apiKey), ...(ifMatch ? { "If-Match": ifMatch } : {}) },
	});

describe("ETag and If-Match over settings", () => {
	it("is epoch.settingsRevision, and changes with every settings PATCH while the epoch stays", async () => {
		const { apiKey, linkId, etag } = await fresh();
		expect(etag).toBe('"1.1"');
		const res = await patch(linkId, apiKey, { title: "renamed" }, etag);
		expect(res.status).toBe(200);
		const { link } = await bodyOf<{ link: LinkBody & { settingsRevision: number } }>(res);
		expect(link.epoch).toBe(1);
		expect(link.settingsRevision).toBe(2);
		expect(res.headers.get("ETag")).toBe('"1.2"');
		const read = await call(`/api/links/${linkId}`, { headers: bearer(apiKey) });
		expect(read.headers.get("ETag")).toBe('"1.2"');
	});

	it("two PATCHes with the same If-Match: the second is 412 settings-mismatch and the first's value survives", async () => {
		const { apiKey, linkId, etag } = await fresh();
		const [a, b] = await Promise.all([
			patch(linkId, apiKey, { title: "from dashboard A" }, etag),
			patch(linkId, apiKey, { title: "from dashboard B" }, etag),
		]);
		const statuses = [a.status, b.status].sort();
		expect(statuses).toEqual([200, 412]);
		const [won, lost] = a.status === 200 ? [a, b] : [b, a];
		const winner = (await bodyOf<{ link: LinkBody }>(won)).link.settings.title;
		const conflict = await expectProblem(lost, 412, "settings-mismatch");
		expect(conflict.etag).toBe(won.headers.get("ETag"));
		expect(conflict.settingsRevision).toBe(2);
		expect(conflict.epoch).toBe(1);
		expect((conflict.settings as { title: string }).title).toBe(winner);
		const read = await bodyOf<{ link: LinkBody }>(
			await call(`/api/links/${linkId}`, { headers: bearer(apiKey) }),
		);
		expect(read.link.settings.title).toBe(winner);
	});

	it("sequentially too: a stale full ETag on PATCH is 412 and changes nothing", async () => {
		const { apiKey, linkId, etag } = await fresh();
		expect((await patch(linkId, apiKey, { title: "first" }, etag)).status).toBe(200);
		await expectProblem(
			await patch(linkId, apiKey, { title: "second" }, etag),
			412,
			"settings-mismatch",
		);
		const read = await bodyOf<{ link: LinkBody }>(
			await call(`/api/links/${linkId}`, { headers: bearer(apiKey) }),
		);
		expect(read.link.settings.title).toBe("first");
	});

	it('a bare "<epoch>" on PATCH checks the epoch only', async () => {
		const { apiKey, linkId } = await fresh();
		expect((await patch(linkId, apiKey, { title: "first" }, '"1"')).status).toBe(200);
		expect((await patch(linkId, apiKey, { title: "second" }, '"1"')).status).toBe(200);
		await expectProblem(await patch(linkId, apiKey, { title: "x" }, '"2"'), 412, "epoch-mismatch");
	});

	it('pause with If-Match "1" still works after a settings change; revision-only staleness does not block it', async () => {
		const { apiKey, linkId } = await fresh();
		expect((await patch(linkId, apiKey, { title: "renamed" }, '"1.1"')).status).toBe(200);
		const paused = await post(`/api/links/${linkId}/pause`, apiKey, '"1"');
		expect(paused.status).toBe(200);
		expect(paused.headers.get("ETag")).toBe('"2.2"');
		const resumed = await post(`/api/links/${linkId}/resume`, apiKey, '"2.1"');
		expect(resumed.status).toBe(200);
		expect(resumed.headers.get("ETag")).toBe('"3.2"');
	});

	it("pause with a stale full ETag is 412 epoch-mismatch with the current ETag", async () => {
		const { apiKey, linkId, etag } = await fresh();
		expect((await post(`/api/links/${linkId}/pause`, apiKey, etag)).status).toBe(200);
		expect((await post(`/api/links/${linkId}/resume`, apiKey, '"2.1"')).status).toBe(200);
		const stale = await expectProblem(
			await post(`/api/links/${linkId}/pause`, apiKey, '"1.1"'),
			412,
			"epoch-mismatch",
		);
		expect(stale.epoch).toBe(3);
		expect(stale.etag).toBe('"3.1"');
	});

	it("revoke and delete accept the full ETag, comparing the epoch", async () => {
		const { apiKey, linkId } = await fresh();
		await expectProblem(await issue("revoke", linkId, apiKey, { "If-Match": '"2.1"' }), 412);
		expect((await issue("revoke", linkId, apiKey, { "If-Match": '"1.7"' })).status).toBe(202);
	});
});
