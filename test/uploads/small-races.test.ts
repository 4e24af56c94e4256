/**
 * One-request uploads racing the lifecycle (the race seam of test/hooks.ts):
 * a revoke or delete applied between the admit and the record refuses the
 * write with the terminal row's 410 and leaves no object; a pause lets it
 * through (finalize is allowed while paused). The audit stays clean.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { LinkDO } from "../../src/do/link-do";
import {
	bearer,
	bodyOf,
	bytesOf,
	type CommandBody,
	call,
	expectClean,
	expectProblem,
	openLink,
	r2Keys,
	sendSmall,
	setFaults,
	stubOf,
	waitForCommand,
} from "../helpers";

async function uploadsOf(linkId: string) {
	return runInDurableObject(stubOf(linkId), (_i: LinkDO, state) =>
		state.storage.sql
			.exec<{ state: string; finalize: string | null }>(
				"SELECT state, finalize_command_id AS finalize FROM uploads",
			)
			.toArray(),
	);
}

describe("one-request upload racing a lifecycle change", () => {
	for (const [kind, at] of [
		["revoke", "admit"],
		["revoke", "record"],
		["delete", "admit"],
		["delete", "record"],
	] as const) {
		const code = kind === "revoke" ? "link-revoked" : "link-deleted";
		it(`${kind} applied at ${at}: 410 ${code}, no object left, no finalize, audit clean`, async () => {
			const { linkId, uploadUrl } = await openLink();
			await setFaults(linkId, { race: { kind, at } });
			const res = await sendSmall(uploadUrl, bytesOf(1000), { filename: "raced.bin" });
			const p = await expectProblem(res, 410, code);
			expect(typeof p.epoch).toBe("number");
			expect(await r2Keys(linkId)).toEqual([]);
			const rows = await uploadsOf(linkId);
			expect(rows).toHaveLength(1);
			expect(rows[0]?.state).toBe("aborted");
			expect(rows[0]?.finalize).toBeNull();
			await expectClean(linkId);
		});
	}

	for (const at of ["admit", "record"] as const) {
		it(`a pause applied at ${at}: 202, the finalize still runs and the file is listed`, async () => {
			const { apiKey, linkId, uploadUrl } = await openLink();
			await setFaults(linkId, { race: { kind: "pause", at } });
			const res = await sendSmall(uploadUrl, bytesOf(1000), { filename: "paused.bin" });
			expect(res.status, await res.clone().text()).toBe(202);
			const { command } = await bodyOf<{ command: CommandBody }>(res);
			await waitForCommand(command.id);
			const files = await bodyOf<{ items: unknown[] }>(
				await call(`/api/links/${linkId}/files`, { headers: bearer(apiKey) }),
			);
			expect(files.items).toHaveLength(1);
			await expectClean(linkId);
		});
	}
});
