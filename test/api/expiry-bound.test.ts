/**
 * expiresAt far in the future (issue 9, item 2): refused at the edge with 400
 * before anything is written, never a 500 after a commit; the timer code
 * clamps the alarm instead of throwing.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { LinkDO } from "../../src/do/link-do";
import { Sql } from "../../src/do/sql";
import { Timers } from "../../src/do/timers";
import { MAX_EXPIRY_YEARS } from "../../src/domain/settings";
import { TIMERS } from "../../src/storage/names";
import {
	bearer,
	bodyOf,
	call,
	createLink,
	createOwner,
	expectProblem,
	type LinkBody,
	sendJson,
	stubOf,
} from "../helpers";

const FAR = ["2263-01-01T00:00:00Z", "9999-12-31T23:59:59Z"];

/** `years` years from now, shifted by `shiftMs`. */
function yearsAhead(years: number, shiftMs: number): string {
	const d = new Date();
	d.setUTCFullYear(d.getUTCFullYear() + years);
	return new Date(d.getTime() + shiftMs).toISOString();
}

const HOUR = 3_600_000;

async function linkCount(apiKey: string): Promise<number> {
	const res = await call("/api/links?limit=100", { headers: bearer(apiKey) });
	expect(res.status).toBe(200);
	return (await bodyOf<{ items: unknown[] }>(res)).items.length;
}

describe("expiresAt upper bound", () => {
	it("PATCH with a date past the bound is 400; the link still reads and patches fine", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey);
		const path = `/api/links/${link.id}`;
		for (const expiresAt of [...FAR, yearsAhead(MAX_EXPIRY_YEARS, HOUR)]) {
			const p = await expectProblem(
				await sendJson("PATCH", path, { expiresAt }, bearer(apiKey)),
				400,
				"validation-failed",
			);
			expect(p.detail).toContain(`${MAX_EXPIRY_YEARS} years`);
			const read = await call(path, { headers: bearer(apiKey) });
			expect(read.status).toBe(200);
			expect((await bodyOf<{ link: LinkBody }>(read)).link.settings.expiresAt).toBeNull();
		}
		const normal = await sendJson("PATCH", path, { maxFiles: 3 }, bearer(apiKey));
		expect(normal.status).toBe(200);
		expect((await bodyOf<{ link: LinkBody }>(normal)).link.settings.maxFiles).toBe(3);

		const within = yearsAhead(MAX_EXPIRY_YEARS, -HOUR);
		const ok = await sendJson("PATCH", path, { expiresAt: within }, bearer(apiKey));
		expect(ok.status).toBe(200);
		expect((await bodyOf<{ link: LinkBody }>(ok)).link.settings.expiresAt).toBe(within);
		const again = await sendJson("PATCH", path, { maxFiles: 4 }, bearer(apiKey));
		expect(again.status).toBe(200);
	});

	it("POST with a date past the bound is 400 and creates no link; within it is 201", async () => {
		const { apiKey } = await createOwner();
		for (const expiresAt of [...FAR, yearsAhead(MAX_EXPIRY_YEARS, HOUR)]) {
			await expectProblem(
				await sendJson("POST", "/api/links", { expiresAt }, bearer(apiKey)),
				400,
				"validation-failed",
			);
		}
		expect(await linkCount(apiKey)).toBe(0);
		const within = yearsAhead(MAX_EXPIRY_YEARS, -HOUR);
		const res = await sendJson("POST", "/api/links", { expiresAt: within }, bearer(apiKey));
		expect(res.status).toBe(201);
		const { link } = await bodyOf<{ link: LinkBody }>(res);
		expect(link.settings.expiresAt).toBe(within);
		expect(await linkCount(apiKey)).toBe(1);
	});

	it("a date not on the calendar (Feb 30) is 400 on POST and PATCH, never stored rolled over", async () => {
		const { apiKey } = await createOwner();
		const year = new Date().getUTCFullYear() + 1;
		const feb30 = `${year}-02-30T00:00:00Z`;
		const created = await sendJson("POST", "/api/links", { expiresAt: feb30 }, bearer(apiKey));
		await expectProblem(created, 400, "validation-failed");
		expect(await linkCount(apiKey)).toBe(0);
		const { link } = await createLink(apiKey);
		const path = `/api/links/${link.id}`;
		const patched = await sendJson("PATCH", path, { expiresAt: feb30 }, bearer(apiKey));
		await expectProblem(patched, 400, "validation-failed");
		const read = await call(path, { headers: bearer(apiKey) });
		expect((await bodyOf<{ link: LinkBody }>(read)).link.settings.expiresAt).toBeNull();
	});

	it("a timer due beyond what the alarm API accepts is clamped, not thrown", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey);
		await runInDurableObject(stubOf(link.id), async (_i: LinkDO, state) => {
			const timers = new Timers(new Sql(state.storage.sql), state.storage);
			for (const at of FAR) {
				await timers.reschedule(TIMERS.expire, Date.parse(at));
				const alarm = await state.storage.getAlarm();
				expect(alarm).not.toBeNull();
				expect(alarm ?? Number.POSITIVE_INFINITY).toBeLessThan(Date.parse("2100-01-01"));
			}
			await timers.cancel(TIMERS.expire);
		});
		const res = await sendJson("PATCH", `/api/links/${link.id}`, { maxFiles: 2 }, bearer(apiKey));
		expect(res.status).toBe(200);
	});
});
