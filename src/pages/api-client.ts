/**
 * The pages act through the JSON API itself, in-process: the typed
 * OwnerClient of src/client with a fetch that hands each request to the API
 * app with the session's caller (auth.ts `envAs`). Every rule, check and
 * problem of the API applies to the pages unchanged; no credential of the
 * session ever travels in a request.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import { api } from "../api/app";
import { notFound, onError } from "../api/http/problem";
import { envAs } from "../api/middleware/auth";
import type { AppEnv } from "../app-env";
import { OwnerClient } from "../client/owner";

/**
 * The API with its problem rendering (src/app.ts adds it to the whole
 * surface; `api` alone would answer a problem as a bare 500), so a page reads
 * the same `application/problem+json` answers a network client does.
 */
const inProcess = new Hono<AppEnv>().route("/", api).notFound(notFound).onError(onError);

export function apiFor(c: Context<AppEnv>): OwnerClient {
	const env = envAs(c.env, c.get("caller"));
	const origin = new URL(c.req.url).origin;
	return new OwnerClient(origin, {
		fetch: async (input, init) => inProcess.fetch(new Request(input, init), env, c.executionCtx),
	});
}
