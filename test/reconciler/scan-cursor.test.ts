/**
 * The full-scan pass must move on even when its page holds a link the
 * attention pass already took this run: a link that stays in attention (a
 * revoke dead-lettered and left there keeps the link closing) must not pin
 * the scan cursor to the start, starving every link after it of drift
 * repairs. (Its own file: a fresh D1.)
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
	bodyOf,
	type CommandBody,
	createLink,
	createOwner,
	issue,
	setFaults,
	stubOf,
} from "../helpers";
import { runCron } from "./kit";

describe("reconciler scan cursor", () => {
	it("reaches every link although one early in id order stays in attention", async () => {
		const { apiKey } = await createOwner();
		const ids: string[] = [];
		for (let i = 0; i < 6; i++)
			ids.push((await createLink(apiKey, { title: `Link ${i}` })).link.id);
		ids.sort();
		// The second link in id order stays closing: its revoke ran out of retries (dead-lettered).
		const stuck = ids[1] as string;
		await setFaults(stuck, { failSend: 1_000 });
		const { command } = await bodyOf<{ command: CommandBody }>(
			await issue("revoke", stuck, apiKey),
		);
		expect((await stubOf(stuck).deadLetter({ commandId: command.id, generation: 0 }))?.status).toBe(
			"dead_lettered",
		);
		// Every other projection drifted (a title no DO holds).
		await env.DB.prepare("UPDATE links SET title = 'drifted' WHERE id != ?").bind(stuck).run();

		const repaired = new Set<string>();
		for (let run = 0; run < 8; run++) {
			const { repairs } = await runCron({ RECONCILE_BATCH: "3" });
			for (const r of repairs) if (r.kind === "projection-repaired") repaired.add(r.linkId);
		}
		expect([...repaired].sort()).toEqual(ids.filter((id) => id !== stuck));
	});
});
