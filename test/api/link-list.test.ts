/**
 * The link list carries each link's received files and bytes (from the D1
 * file index, one grouped query per page), for the owner's dashboard and the
 * admin console.
 */
import { describe, expect, it } from "vitest";
import type { LinkList } from "../../src/contract";
import {
	ADMIN,
	bearer,
	bodyOf,
	bytesOf,
	call,
	createLink,
	createOwner,
	issue,
	uploaderFor,
	waitForCommand,
} from "../helpers";

async function listOf(headers: Record<string, string>, query = ""): Promise<LinkList> {
	const res = await call(`/api/links${query}`, { headers });
	expect(res.status).toBe(200);
	return bodyOf<LinkList>(res);
}

describe("link list totals", () => {
	it("counts each link's finalized files and bytes, zero for a link with none", async () => {
		const { apiKey } = await createOwner();
		const full = await createLink(apiKey, { title: "Full" });
		const empty = await createLink(apiKey, { title: "Empty" });
		await uploaderFor(full.uploadUrl).upload(bytesOf(1000, 1), { name: "a.bin" });
		await uploaderFor(full.uploadUrl).upload(bytesOf(234, 2), { name: "b.bin" });

		const { items } = await listOf(bearer(apiKey));
		const byId = new Map(items.map((l) => [l.id, l]));
		expect(byId.get(full.link.id)).toMatchObject({ files: 2, bytes: 1234 });
		expect(byId.get(empty.link.id)).toMatchObject({ files: 0, bytes: 0 });
	});

	it("gives every page its own totals, and the admin list the same numbers", async () => {
		const { apiKey } = await createOwner();
		const older = await createLink(apiKey, { title: "Older" });
		await uploaderFor(older.uploadUrl).upload(bytesOf(10, 3), { name: "c.bin" });
		await createLink(apiKey, { title: "Newer" });

		const first = await listOf(bearer(apiKey), "?limit=1");
		expect(first.items[0]).toMatchObject({ title: "Newer", files: 0, bytes: 0 });
		const second = await listOf(bearer(apiKey), `?limit=1&cursor=${first.nextCursor}`);
		expect(second.items[0]).toMatchObject({ title: "Older", files: 1, bytes: 10 });

		const admin = await call(`/api/admin/links?ownerId=${older.link.ownerId}`, { headers: ADMIN });
		const adminItems = (await bodyOf<LinkList>(admin)).items;
		expect(adminItems.find((l) => l.id === older.link.id)).toMatchObject({ files: 1, bytes: 10 });
	});

	it("counts nothing once a delete purged the link's files", async () => {
		const { apiKey } = await createOwner();
		const { link, uploadUrl } = await createLink(apiKey);
		await uploaderFor(uploadUrl).upload(bytesOf(50, 4), { name: "d.bin" });
		const res = await issue("delete", link.id, apiKey);
		const { command } = await bodyOf<{ command: { id: string } }>(res);
		await waitForCommand(command.id);
		const { items } = await listOf(bearer(apiKey));
		expect(items.find((l) => l.id === link.id)).toMatchObject({
			state: "deleted",
			files: 0,
			bytes: 0,
		});
	});
});
