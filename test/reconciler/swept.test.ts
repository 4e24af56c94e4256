/**
 * The reconciler marks a link swept (the attention pass may skip it) only
 * while D1 still has the state its DO reported: a revoked link the DO found
 * swept, deleted before that write, keeps its place in the attention pass.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import * as LinksTable from "../../src/d1/links";
import { createLink, createOwner } from "../helpers";

const sweptOf = async (id: string) =>
	(await env.DB.prepare("SELECT swept FROM links WHERE id = ?").bind(id).first<{ swept: number }>())
		?.swept;

describe("markSwept", () => {
	it("writes only while the row has the state the DO reported", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey, { title: "Swept" });
		await env.DB.prepare("UPDATE links SET state = 'deleted', swept = 0 WHERE id = ?")
			.bind(link.id)
			.run();
		await LinksTable.markSwept(env.DB, link.id, true, "revoked");
		expect(await sweptOf(link.id)).toBe(0);
		await LinksTable.markSwept(env.DB, link.id, true, "deleted");
		expect(await sweptOf(link.id)).toBe(1);
	});
});
