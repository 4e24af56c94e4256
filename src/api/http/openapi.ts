/**
 * OpenAPI descriptions for routes, built from the same valibot schemas that
 * validate requests, and the document/reference page themselves.
 */
import type { StandardSchemaV1 } from "@standard-schema/spec";
import { describeRoute, type ResponsesWithResolver, resolver } from "hono-openapi";
import { ProblemBody } from "../../contract/schemas";
import { PROBLEM_CODES, type ProblemCode } from "../../domain/problems";

interface RouteDoc {
	summary: string;
	tags: string[];
	description?: string;
	/** Success responses: status -> schema (or null for no body). */
	ok: Record<number, StandardSchemaV1 | null>;
	/** Problem codes this route may answer with. */
	problems?: ProblemCode[];
	/** owner/admin: bearer keys; link: the `Link-Secret` header (uploader routes); none. */
	security?: "owner" | "admin" | "link" | "none";
}

/** What a route with a JSON body may also answer (in this order). */
export const BODY_PROBLEMS = [
	"validation-failed",
	"malformed-json",
	"unsupported-media-type",
	"payload-too-large",
] as const satisfies readonly ProblemCode[];

/** Why a link takes no upload: it is unknown, or not open (uploader routes). */
export const LINK_CLOSED_PROBLEMS = [
	"link-not-found",
	"link-paused",
	"link-closing",
	"link-revoked",
	"link-expired",
	"link-deleted",
] as const satisfies readonly ProblemCode[];

/** Why a link refuses this uploader or this file when an upload starts (in this order). */
export const ADMISSION_PROBLEMS = [
	"password-required",
	"password-incorrect",
	"too-many-attempts",
	"uploader-details-required",
	"file-too-large",
	"file-type-not-allowed",
	"quota-exceeded",
] as const satisfies readonly ProblemCode[];

/** What an owner's list may answer. */
export const LIST_PROBLEMS = [
	"unauthorized",
	"invalid-cursor",
	"validation-failed",
] as const satisfies readonly ProblemCode[];

/** What an admin list may answer. */
export const ADMIN_LIST_PROBLEMS = [
	"unauthorized",
	"forbidden",
	"invalid-cursor",
	"validation-failed",
] as const satisfies readonly ProblemCode[];

/** An admin route's doc: tagged `admin`, behind the admin token. */
export function adminDoc(spec: Omit<RouteDoc, "tags" | "security">) {
	return doc({ ...spec, tags: ["admin"], security: "admin" });
}

/** describeRoute() with success schemas and the route's problem codes grouped by status. */
export function doc(spec: RouteDoc) {
	const responses: ResponsesWithResolver = {};
	for (const [status, schema] of Object.entries(spec.ok)) {
		responses[status] = {
			description: "Success",
			...(schema ? { content: { "application/json": { schema: resolver(schema) } } } : {}),
		};
	}
	const byStatus = new Map<number, ProblemCode[]>();
	for (const code of spec.problems ?? []) {
		const status = PROBLEM_CODES[code].status;
		byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
	}
	for (const [status, codes] of byStatus) {
		responses[String(status)] = {
			description: `Problem: ${codes.join(", ")}`,
			content: { "application/problem+json": { schema: resolver(ProblemBody) } },
		};
	}
	const security: Record<string, string[]>[] =
		spec.security === "none"
			? []
			: spec.security === "link"
				? [{ linkSecret: [] }]
				: spec.security === "admin"
					? [{ admin: [] }]
					: [{ owner: [] }, { admin: [] }];
	return describeRoute({
		summary: spec.summary,
		tags: spec.tags,
		...(spec.description ? { description: spec.description } : {}),
		security,
		responses,
	});
}

export const openApiDocumentation = {
	documentation: {
		// Relative: the API is served by the same Worker as the document, on
		// whatever origin it runs (workers.dev, a custom domain, localhost).
		servers: [{ url: "/", description: "The origin serving this document" }],
		info: {
			// The repository grants no licence (package.json is `private`), so the
			// API is proprietary: an SPDX LicenseRef, as OpenAPI 3.1 allows.
			license: { name: "Proprietary", identifier: "LicenseRef-Proprietary" },
			title: "Receive links API",
			version: "1.0.0",
			description:
				"File requests whose lifecycle is serialized per link by a Durable Object with an epoch. Errors are RFC 9457 problems with a stable `code`; see /docs/problems.",
		},
		components: {
			securitySchemes: {
				owner: { type: "http" as const, scheme: "bearer", description: "Owner API key (rlk_...)" },
				admin: { type: "http" as const, scheme: "bearer", description: "ADMIN_TOKEN" },
				linkSecret: {
					type: "apiKey" as const,
					in: "header" as const,
					name: "Link-Secret",
					description:
						"The link's secret: the fragment of the upload URL (<origin>/r/<linkId>#<secret>)",
				},
			},
		},
	},
};
