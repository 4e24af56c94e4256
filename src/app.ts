/**
 * The whole HTTP surface: the web pages (src/pages), the JSON API and its
 * documentation (src/api). API errors are rendered in one place (problem+json);
 * the page sub-apps render their own errors as pages.
 */
import { Hono } from "hono";
import { service } from "./api/app";
import { notFound, onError } from "./api/http/problem";
import { requestLog } from "./api/middleware/request-log";
import type { AppEnv } from "./app-env";
import { pages } from "./pages";

export const app = new Hono<AppEnv>()
	.use(requestLog)
	.route("/", pages)
	.route("/", service)
	.notFound(notFound)
	.onError(onError);
