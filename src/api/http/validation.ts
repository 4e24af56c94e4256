/**
 * Request validation at the edge. Every body, query and path parameter goes
 * through a valibot schema; a failure is a `validation-failed` problem listing
 * the issues. JSON bodies are also checked for content type, size and syntax.
 */
import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { MiddlewareHandler, ValidationTargets } from "hono";
import { bodyLimit } from "hono/body-limit";
import { validator } from "hono-openapi";
import { ProblemError, problem } from "../../domain/problems";

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
 * The one rule for "this body is JSON": exactly Hono's validator rule
 * (hono/dist/validator/validator.js), applied to the media type before any
 * `;` parameters. If the two rules differed, Hono would validate `{}` for a
 * body this middleware let through, and the body would be silently ignored.
 */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/** The media type of a Content-Type header, as Hono reads it. */
export function mediaTypeOf(contentType: string): string {
	return (contentType.split(";")[0] ?? "").trim().toLowerCase();
}

/** True when `contentType` names JSON under the rule Hono's validator applies. */
export function isJsonContentType(contentType: string | undefined): boolean {
	return contentType !== undefined && JSON_MEDIA_TYPE.test(mediaTypeOf(contentType));
}

/**
 * For JSON endpoints: 415 unless the body is JSON, 413 when too large, 400
 * `malformed-json` when it does not parse. An absent, empty or whitespace-only
 * body counts as `{}` so that endpoints whose fields are all optional accept an
 * empty POST or PATCH.
 *
 * What this middleware parsed is what the validator sees: the parsed value is
 * put back into Hono's body cache as the request text (`c.req.json()` reads
 * `bodyCache.text`, a Promise), so the validator never re-reads or re-decides.
 */
export const jsonBody: MiddlewareHandler = async (c, next) => {
	const length = c.req.header("content-length");
	const type = c.req.header("content-type");
	const useParsed = (value: object) => {
		// Hono types the cache as plain values but stores and reads Promises
		// (request.js #cachedBody); a plain value there breaks c.req.json().
		const cache: { text: Promise<string> } = { text: Promise.resolve(JSON.stringify(value)) };
		c.req.bodyCache = cache as unknown as typeof c.req.bodyCache;
	};
	if (length === "0" || (length === undefined && c.req.raw.body === null)) {
		// No body at all: nothing can be ignored, whatever the type says.
		useParsed({});
		return next();
	}
	if (!isJsonContentType(type)) {
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
		useParsed(parsed);
		await next();
	});
};
