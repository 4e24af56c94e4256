/**
 * The pages act through the JSON API itself, in-process: the typed
 * OwnerClient of src/client with a fetch that hands each request to the API
 * app with the session's caller (auth.ts `envAs`). Every rule, check and
 * problem of the API applies to the pages unchanged; no credential of the
 * session ever travels in a request.
 */
import type { Context } from "hono";
import { api } from "../api/app";
import { envAs } from "../api/auth";
import type { AppEnv } from "../api/context";
import { OwnerClient } from "../client/owner";

export function apiFor(c: Context<AppEnv>): OwnerClient {
	const env = envAs(c.env, c.get("caller"));
	const origin = new URL(c.req.url).origin;
	return new OwnerClient(origin, {
		fetch: async (input, init) => api.fetch(new Request(input, init), env, c.executionCtx),
	});
}
