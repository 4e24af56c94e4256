/**
 * Stable problem codes (RFC 9457 `code` extension) and the one place that maps
 * each code to its HTTP status and title. docs/problems.md lists them for clients.
 */
export const PROBLEM_CODES = {
	"validation-failed": { status: 400, title: "The request is not valid" },
	"malformed-json": { status: 400, title: "The request body is not valid JSON" },
	"invalid-cursor": { status: 400, title: "The pagination cursor is not valid" },
	"invalid-if-match": {
		status: 400,
		title: 'If-Match must be the link\'s ETag (such as "3.2") or a quoted epoch (such as "3")',
	},
	"invalid-idempotency-key": { status: 400, title: "The Idempotency-Key header is not valid" },
	"invalid-upload-token": {
		status: 400,
		title: "An Upload-Token chosen by the client must be 43 base64url characters",
	},
	unauthorized: { status: 401, title: "Missing or invalid credentials" },
	forbidden: { status: 403, title: "These credentials may not do this" },
	"access-denied": {
		status: 401,
		title: "Cloudflare Access did not vouch for this request (no valid Cf-Access-Jwt-Assertion)",
	},
	"access-no-owner": { status: 403, title: "No owner has this Cloudflare Access e-mail" },
	"access-owner-ambiguous": {
		status: 403,
		title: "More than one owner has this Cloudflare Access e-mail",
	},
	"access-not-admin": {
		status: 403,
		title: "This Cloudflare Access e-mail is not an admin (ACCESS_ADMIN_EMAILS)",
	},
	"retry-token-invalid": {
		status: 403,
		title: "The Retry-Token is invalid, expired or for another command",
	},
	"download-destination-refused": {
		status: 403,
		title: "Uploaded files are never served as a script, style or worker (Sec-Fetch-Dest)",
	},
	"not-found": { status: 404, title: "No such resource" },
	"upload-url-unavailable": {
		status: 404,
		title: "This link's upload URL was shown only when it was created",
	},
	"link-not-found": { status: 404, title: "No such link" },
	"owner-not-found": { status: 404, title: "No such owner" },
	"command-not-found": { status: 404, title: "No such command" },
	"dead-letter-not-found": { status: 404, title: "No such dead letter" },
	"webhook-not-found": { status: 404, title: "No such webhook endpoint" },
	"webhook-url-refused": {
		status: 400,
		title: "This URL may not receive webhooks (https only; no private, loopback or metadata hosts)",
	},
	"too-many-webhooks": { status: 409, title: "This owner has the most webhook endpoints allowed" },
	"too-many-links": { status: 409, title: "This owner has the most links allowed" },
	"webhook-url-duplicate": {
		status: 409,
		title: "This owner already has a webhook endpoint with this URL",
	},
	"webhook-event-not-found": { status: 404, title: "No such webhook event" },
	"webhook-event-not-subscribed": {
		status: 409,
		title: "This endpoint never had this event, so it cannot get it again",
	},
	"too-many-webhook-sends": {
		status: 429,
		title: "Too many redeliveries and test events; wait before sending more",
	},
	"terminal-pending": {
		status: 409,
		title: "A terminal command is pending for this link; pause, resume and settings are refused",
	},
	"dead-letter-not-pending": { status: 409, title: "This dead letter was already handled" },
	"dead-letter-not-replayable": {
		status: 409,
		title: "This dead letter has no command or message that can be sent again",
	},
	"link-revoked": { status: 410, title: "This link was revoked" },
	"link-expired": { status: 410, title: "This link has expired" },
	"link-deleted": { status: 410, title: "This link was deleted" },
	"epoch-mismatch": { status: 412, title: "The link changed since you read it (stale epoch)" },
	"settings-mismatch": {
		status: 412,
		title: "The link's settings changed since you read them (stale ETag)",
	},
	"length-required": {
		status: 411,
		title: "Send Content-Length (or Upload-Length with a chunked body)",
	},
	"payload-too-large": { status: 413, title: "The request body is too large" },
	"unsupported-media-type": { status: 415, title: "Send JSON (Content-Type: application/json)" },
	"idempotency-key-reused": {
		status: 422,
		title: "This Idempotency-Key was already used with a different request",
	},
	"idempotency-token-mismatch": {
		status: 409,
		title: "This Idempotency-Key opened an upload; a replay must send that upload's Upload-Token",
	},
	"too-many-attempts": {
		status: 429,
		title: "Too many wrong passwords for this link; wait before trying again",
	},
	"upload-locked": {
		status: 423,
		title: "Another PATCH is writing this upload; retry when it ends",
	},
	"upload-offset-mismatch": {
		status: 409,
		title: "Upload-Offset differs from the bytes the upload holds",
	},
	"tus-checksum-mismatch": { status: 460, title: "The PATCH body does not match Upload-Checksum" },
	"tus-version-unsupported": { status: 412, title: "Send Tus-Resumable: 1.0.0" },
	"link-paused": { status: 423, title: "This link is paused" },
	"link-closing": { status: 423, title: "This link is closing; retry later" },
	"upload-not-found": { status: 404, title: "No such upload (or the Upload-Token does not match)" },
	"file-not-found": { status: 404, title: "No such file" },
	"upload-aborted": { status: 410, title: "This upload was aborted" },
	"invalid-part-number": { status: 400, title: "The part number is outside this upload's parts" },
	"length-mismatch": {
		status: 400,
		title: "The body's length differs from the length this upload expects",
	},
	"checksum-mismatch": { status: 400, title: "The bytes do not match the declared sha256" },
	"uploader-details-required": {
		status: 400,
		title: "This link requires the uploader's name or email",
	},
	"password-required": { status: 401, title: "This link is protected by a password" },
	"password-incorrect": { status: 403, title: "The link password is incorrect" },
	"upload-incomplete": { status: 409, title: "Some parts of this upload are missing" },
	"upload-state-conflict": { status: 409, title: "The upload is not in a state that allows this" },
	"quota-exceeded": { status: 409, title: "This link's file or byte quota is used up" },
	"file-too-large": { status: 413, title: "The file exceeds this link's per-file limit" },
	"file-type-not-allowed": { status: 415, title: "This link does not accept this file type" },
	"zip-too-many-files": {
		status: 409,
		title: "Too many files for one ZIP; download them one by one",
	},
	"range-not-satisfiable": { status: 416, title: "The requested range is not satisfiable" },
	"internal-error": { status: 500, title: "Internal server error" },
	"storage-unavailable": { status: 503, title: "Storage is temporarily unavailable; retry" },
	"access-unavailable": {
		status: 503,
		title:
			"Cloudflare Access sign-in cannot be checked right now (keys unreachable or configuration invalid)",
	},
	"public-origin-unset": {
		status: 503,
		title: "The service's public origin is not configured (PUBLIC_ORIGIN)",
	},
	"not-ready": { status: 503, title: "The service is not ready: a dependency check failed" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEM_CODES;

/** The serializable body of a problem, as it crosses RPC and reaches HTTP. */
export interface Problem {
	code: ProblemCode;
	status: number;
	title: string;
	detail: string;
	epoch?: number;
	retryable?: boolean;
	retryAfter?: number;
	/** Extra, code-specific members (e.g. validation issues). */
	extra?: Record<string, unknown>;
}

/** Builds a problem for `code`; status and title come from the table above. */
export function problem(
	code: ProblemCode,
	detail?: string,
	fields: Omit<Partial<Problem>, "code" | "status" | "title"> = {},
): Problem {
	const { status, title } = PROBLEM_CODES[code];
	return { code, status, title, detail: detail ?? title, ...fields };
}

/** Result of a decision or a Durable Object call: a value, or a problem. */
export type Result<T> = { ok: true; value: T } | { ok: false; problem: Problem };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(p: Problem): Result<T> => ({ ok: false, problem: p });

/** Thrown at the HTTP edge; turned into a problem response in one place (api/problem.ts). */
export class ProblemError extends Error {
	constructor(readonly problem: Problem) {
		super(`${problem.code}: ${problem.detail}`);
		this.name = "ProblemError";
	}
}
