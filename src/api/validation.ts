/**
 * Request validation at the edge. Every body, query and path parameter goes
 * through a valibot schema; a failure is a `validation-failed` problem listing
 * the issues. JSON bodies are also checked for content type, size and syntax.
 */
import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { MiddlewareHandler, ValidationTargets } from "hono";
import { bodyLimit } from "hono/body-limit";
import { validator } from "hono-openapi";
import { ProblemError, problem } from "../domain/problems";

/** JSON request bodies are small: settings and names, never file bytes. */
export const MAX_JSON_BYTES = 64 * 1024;

function issuesOf(issues: readonly StandardSchemaV1.Issue[]) {
	return issues.map((i) => ({
		path:
			i.path
				?.map((p) =>
					typeof p === "object" && p !== null && "key" in p ? String(p.key) : String(p),
				)
				.join(".") ?? "",
		message: i.message,
	}));
}

/** Validates `target` with `schema`; a failure throws a validation-failed problem. */
export function valid<S extends StandardSchemaV1, T extends keyof ValidationTargets>(
	target: T,
	schema: S,
) {
	return validator(target, schema, (result) => {
		if (!result.success) {
			const issues = issuesOf(result.error);
			const first = issues[0];
			const where = target === "json" ? "body" : target;
			throw new ProblemError(
				problem(
					"validation-failed",
					first
						? `Invalid ${where}${first.path ? ` at ${first.path}` : ""}: ${first.message}`
						: `Invalid ${where}.`,
					{ extra: { issues } },
				),
			);
		}
	});
}

const limit = bodyLimit({
	maxSize: MAX_JSON_BYTES,
	onError: () => {
		throw new ProblemError(
			problem("payload-too-large", `JSON bodies are limited to ${MAX_JSON_BYTES} bytes.`),
		);
	},
});

/**
 * For JSON endpoints: 415 unless the body is JSON, 413 when too large, 400
 * `malformed-json` when it does not parse. An absent body counts as `{}` so
 * that endpoints whose fields are all optional accept an empty POST.
 */
export const jsonBody: MiddlewareHandler = async (c, next) => {
	const length = c.req.header("content-length");
	const type = c.req.header("content-type");
	const empty = length === "0" || (length === undefined && !type && c.req.raw.body === null);
	if (empty) {
		c.req.bodyCache.json = {};
		return next();
	}
	if (!type || !/^application\/([a-z0-9.+-]*\+)?json(\s*;.*)?$/i.test(type)) {
		throw new ProblemError(problem("unsupported-media-type"));
	}
	return limit(c, async () => {
		let parsed: unknown;
		try {
			const text = await c.req.text();
			parsed = text.trim() === "" ? {} : JSON.parse(text);
		} catch (error) {
			if (error instanceof ProblemError) throw error;
			throw new ProblemError(problem("malformed-json", "The request body is not valid JSON."));
		}
		// Every JSON endpoint takes an object; valibot's object() would accept an array.
		if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
			throw new ProblemError(
				problem("validation-failed", "The request body must be a JSON object.", {
					extra: { issues: [{ path: "", message: "Expected a JSON object" }] },
				}),
			);
		}
		c.req.bodyCache.json = parsed;
		await next();
	});
};
