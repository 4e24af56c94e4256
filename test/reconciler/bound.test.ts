/**
 * The reconciler's per-run bound: a run looks at no more than
 * RECONCILE_BATCH links, and its cursors carry the next run on from where it
 * stopped, so successive runs reach every link. (Its own file: a fresh D1.)
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createLink, createOwner } from "../helpers";
import { runCron } from "./kit";

describe("reconciler bound", () => {
	it("looks at RECONCILE_BATCH links per run and reaches all of them over successive runs", async () => {
		const { apiKey } = await createOwner();
		const ids: string[] = [];
		for (let i = 0; i < 5; i++)
			ids.push((await createLink(apiKey, { title: `Link ${i}` })).link.id);
		// Every projection drifted (a title no DO holds); none of them needs attention otherwise.
		await env.DB.prepare("UPDATE links SET title = 'drifted'").run();

		const repaired: string[] = [];
		const looked: number[] = [];
		for (let run = 0; run < 4; run++) {
			const { summary, repairs } = await runCron({ RECONCILE_BATCH: "2" });
			looked.push(summary.links);
			repaired.push(...repairs.map((r) => r.linkId));
		}
		expect(Math.max(...looked)).toBeLessThanOrEqual(2);
		expect(repaired.sort()).toEqual([...ids].sort());
		const left = await env.DB.prepare(
			"SELECT COUNT(*) AS n FROM links WHERE title = 'drifted'",
		).first<{
			n: number;
		}>();
		expect(left?.n).toBe(0);
		// The cursors wrapped: the next run starts over and finds nothing to repair.
		const after = await runCron({ RECONCILE_BATCH: "2" });
		expect(after.summary).toMatchObject({ links: 2, repairs: 0 });
	});
});
