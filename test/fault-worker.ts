/**
 * The Worker the browser tests run: the service exactly as src/index.ts
 * exports it, plus one test-only route, `POST /__test/faults` (admin token),
 * that installs test hooks (test/hooks.ts) on a live link's Durable Object,
 * so a browser test can make a command fail until it is dead-lettered, then
 * clear the fault and replay it from the admin console. Only the browser
 * tests' `wrangler dev` runs this entry; `wrangler deploy` and `npm start`
 * run src/index.ts, which has no such route.
 */

import { isAdminToken } from "../src/api/middleware/auth";
import { linkStub } from "../src/do/stub";
import service, { LinkDO as ServiceLinkDO } from "../src/index";
import { type Faults, installFaults } from "./hooks";

export class LinkDO extends ServiceLinkDO {
	/** Replaces this instance's test hooks (`{}` clears them). In memory: an eviction clears them too. */
	async setTestFaults(faults: Faults): Promise<void> {
		installFaults(this, faults);
	}
}

export default {
	...service,
	async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
		const url = new URL(request.url);
		if (url.pathname === "/__test/faults" && request.method === "POST") {
			const token = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1] ?? "";
			if (!(await isAdminToken(env, token))) return new Response("admin token", { status: 401 });
			const { linkId, faults } = (await request.json()) as { linkId: string; faults: Faults };
			const stub = linkStub(env, linkId) as unknown as DurableObjectStub<LinkDO>;
			await stub.setTestFaults(faults);
			return new Response(null, { status: 204 });
		}
		return service.fetch(request, env, ctx);
	},
} satisfies ExportedHandler<Env>;
