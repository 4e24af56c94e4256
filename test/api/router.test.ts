/**
 * Hono's default SmartRouter uses its RegExpRouter (one compiled regular
 * expression per method) only if every route fits it; a single route that
 * does not, such as a static segment beside a parameter (`/app/links/new`
 * next to `/app/links/:linkId`), drops every request of the service, upload
 * parts included, onto the slower TrieRouter. The bench's profile of tiny
 * PUTs showed that router's search at about 5 % of the service's CPU.
 */
import { RegExpRouter } from "hono/router/reg-exp-router";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { call } from "../helpers";

describe("routing", () => {
	it("every route of the service fits Hono's RegExpRouter", () => {
		const router = new RegExpRouter<string>();
		const refused: string[] = [];
		for (const { method, path } of app.routes) {
			try {
				router.add(method, path, `${method} ${path}`);
			} catch {
				refused.push(`${method} ${path}`);
			}
		}
		expect(refused).toEqual([]);
		expect(() => router.match("GET", "/")).not.toThrow();
	});

	it("the service answers through the RegExpRouter", async () => {
		await call("/healthz");
		expect(app.router.name).toBe("SmartRouter + RegExpRouter");
	});
});
