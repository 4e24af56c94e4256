/**
 * The wire contract: valibot schemas for every request and response body.
 * They validate at the edge, feed /openapi.json (so the document cannot
 * drift from the checks), and the types the Durable Object's views satisfy
 * and the clients speak are inferred from them (src/contract/index.ts).
 */
import * as v from "valibot";
import { cleanText, hasVisible, visibleText } from "./text";

/** R2's largest object (5 TiB) bounds a file. */
export const MAX_FILE_BYTES_LIMIT = 5 * 1024 ** 4;

import {
	COMMAND_KINDS,
	COMMAND_STATUSES,
	DEAD_LETTER_STATUSES,
	LATE_FINALIZE_POLICIES,
	LINK_STATES,
	PHASES,
	STEP_NAMES,
	UPLOAD_MODES,
	UPLOAD_PROTOCOLS,
	UPLOAD_STATES,
} from "./enums";

/*
 * Human text is cleaned here, at the edge (src/contract/text.ts): no control,
 * bidi or invisible characters are stored. A blank string stays a shape error
 * (400 validation-failed); a value whose characters are all invisible is
 * refused where the field is required, and counts as absent where it is
 * optional (so a required uploader detail is then uploader-details-required).
 */

/** Multi-line text (a description): cleaned, `\n` kept; nothing visible is "". */
export const text = (max: number) =>
	v.pipe(
		v.string(),
		v.trim(),
		v.maxLength(max),
		v.transform((s) => visibleText(s, { multiline: true }) ?? ""),
	);
/** Required one-line text (a title, a name): cleaned; nothing visible is refused. */
const nonEmptyText = (max: number) =>
	v.pipe(
		v.string(),
		v.trim(),
		v.minLength(1),
		v.maxLength(max),
		v.transform((s) => cleanText(s)),
		v.check(hasVisible, "Expected visible characters"),
	);
/** Optional one-line text from uploaders: cleaned; nothing visible is absent. */
const optionalText = (max: number) =>
	v.pipe(
		v.string(),
		v.trim(),
		v.minLength(1),
		v.maxLength(max),
		v.transform((s) => visibleText(s) ?? undefined),
	);
/** Optional email from uploaders: cleaned, then checked; nothing visible is absent. */
const optionalEmail = v.pipe(
	v.string(),
	v.trim(),
	v.minLength(1, "Invalid email"),
	v.maxLength(320),
	v.transform((s) => visibleText(s) ?? undefined),
	v.check((s) => s === undefined || v.EMAIL_REGEX.test(s), "Invalid email"),
);
const positiveInt = (max: number) =>
	v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(max));

const Extension = v.pipe(
	v.string(),
	v.regex(/^\.?[A-Za-z0-9][A-Za-z0-9_-]{0,15}$/, "an extension such as pdf or .jpg"),
	v.transform((e) => e.replace(/^\./, "").toLowerCase()),
);
const MimeType = v.pipe(
	v.string(),
	v.regex(
		/^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}\/(\*|[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,127})$/,
		"a MIME type such as image/png or image/*",
	),
);

/** Writable link settings; every field optional (defaults apply on create). */
export const SettingsInput = v.strictObject({
	title: v.optional(nonEmptyText(200)),
	description: v.optional(text(2000)),
	maxFiles: v.optional(v.nullable(positiveInt(10_000))),
	maxFileBytes: v.optional(positiveInt(MAX_FILE_BYTES_LIMIT)),
	maxTotalBytes: v.optional(v.nullable(positiveInt(Number.MAX_SAFE_INTEGER))),
	allowedExtensions: v.optional(v.pipe(v.array(Extension), v.maxLength(100))),
	allowedMimeTypes: v.optional(v.pipe(v.array(MimeType), v.maxLength(100))),
	expiresAt: v.optional(v.nullable(v.pipe(v.string(), v.isoTimestamp()))),
	lateFinalize: v.optional(v.picklist(LATE_FINALIZE_POLICIES)),
	requireUploaderName: v.optional(v.boolean()),
	requireUploaderEmail: v.optional(v.boolean()),
	password: v.optional(v.nullable(v.pipe(v.string(), v.minLength(8), v.maxLength(256)))),
});
export type SettingsInput = v.InferOutput<typeof SettingsInput>;

export const CreateLinkBody = SettingsInput;
export const PatchLinkBody = SettingsInput;

export const CreateOwnerBody = v.strictObject({
	name: nonEmptyText(200),
	email: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(320), v.email())),
});

export const LinkIdParam = v.object({ linkId: v.pipe(v.string(), v.maxLength(128)) });
/** Any short string: a well-formed id of no owner and a malformed one are both 404 owner-not-found. */
export const OwnerIdParam = v.object({ ownerId: v.pipe(v.string(), v.maxLength(64)) });

export const ListQuery = v.object({
	limit: v.optional(
		v.pipe(
			v.string(),
			v.regex(/^[0-9]{1,3}$/),
			v.transform(Number),
			v.minValue(1),
			v.maxValue(100),
		),
	),
	cursor: v.optional(v.pipe(v.string(), v.maxLength(512))),
});

export const AdminListQuery = v.object({
	...ListQuery.entries,
	state: v.optional(v.picklist(LINK_STATES)),
	ownerId: v.optional(v.pipe(v.string(), v.maxLength(64))),
});

export const InitUploadBody = v.strictObject({
	name: v.pipe(v.string(), v.minLength(1), v.maxLength(1024)),
	size: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_FILE_BYTES_LIMIT)),
	type: v.optional(
		v.pipe(
			v.string(),
			v.maxLength(255),
			v.regex(
				/^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,127}$/,
				"a MIME type",
			),
		),
		"application/octet-stream",
	),
	uploaderName: v.optional(optionalText(200)),
	uploaderEmail: v.optional(optionalEmail),
	sha256: v.optional(
		v.pipe(v.string(), v.regex(/^[0-9a-fA-F]{64}$/, "64 hex digits"), v.toLowerCase()),
	),
	password: v.optional(v.pipe(v.string(), v.maxLength(256))),
});

export const UploadParams = v.object({
	linkId: v.pipe(v.string(), v.maxLength(128)),
	uploadId: v.pipe(v.string(), v.maxLength(64)),
});
export const OwnerUploadParams = v.object({
	...LinkIdParam.entries,
	uploadId: v.pipe(v.string(), v.maxLength(64)),
});
export const PartParams = v.object({
	...UploadParams.entries,
	n: v.pipe(v.string(), v.regex(/^[0-9]{1,6}$/, "a part number"), v.transform(Number)),
});

export const Upload = v.object({
	id: v.string(),
	name: v.string(),
	size: v.number(),
	type: v.string(),
	mode: v.picklist(UPLOAD_MODES),
	/** `native` (/uploads) or `tus` (/tus). */
	protocol: v.picklist(UPLOAD_PROTOCOLS),
	partSize: v.nullable(v.number()),
	partCount: v.number(),
	/** Bytes the service holds durably (recorded parts, a tus remainder; all once completed). */
	offset: v.number(),
	state: v.picklist(UPLOAD_STATES),
	admittedEpoch: v.number(),
	completedEpoch: v.nullable(v.number()),
	finalizedEpoch: v.nullable(v.number()),
	parts: v.array(v.object({ partNumber: v.number(), size: v.number(), etag: v.string() })),
	finalize: v.nullable(
		v.object({
			commandId: v.string(),
			status: v.picklist(COMMAND_STATUSES),
			result: v.nullable(v.string()),
		}),
	),
	fileId: v.nullable(v.string()),
	sha256: v.nullable(v.string()),
	uploaderName: v.nullable(v.string()),
	uploaderEmail: v.nullable(v.string()),
	expiresAt: v.string(),
	createdAt: v.string(),
	updatedAt: v.string(),
});
export const UploadResponse = v.object({ upload: Upload });
export const CreatedUpload = v.object({ upload: Upload, uploadToken: v.string() });
export const PartResponse = v.object({
	partNumber: v.number(),
	etag: v.string(),
	size: v.number(),
});
export const UploadList = v.object({ items: v.array(Upload), nextCursor: v.nullable(v.string()) });
export const FileItem = v.object({
	id: v.string(),
	linkId: v.string(),
	uploadId: v.string(),
	name: v.string(),
	size: v.number(),
	type: v.string(),
	sha256: v.nullable(v.string()),
	uploaderName: v.nullable(v.string()),
	uploaderEmail: v.nullable(v.string()),
	finalizedEpoch: v.number(),
	createdAt: v.string(),
	downloadUrl: v.string(),
});
export const FileList = v.object({ items: v.array(FileItem), nextCursor: v.nullable(v.string()) });
export const FileIdParam = v.object({ fileId: v.pipe(v.string(), v.maxLength(64)) });

export const AuditQuery = v.object({ sweep: v.optional(v.picklist(["0", "1"])) });
export const AuditResponse = v.object({
	linkId: v.string(),
	settled: v.boolean(),
	violations: v.array(v.string()),
});

// --- responses (documentation; the handlers return DO views of these shapes) ---

const Settings = v.object({
	title: v.string(),
	description: v.string(),
	maxFiles: v.nullable(v.number()),
	maxFileBytes: v.number(),
	maxTotalBytes: v.nullable(v.number()),
	allowedExtensions: v.array(v.string()),
	allowedMimeTypes: v.array(v.string()),
	expiresAt: v.nullable(v.string()),
	lateFinalize: v.picklist(LATE_FINALIZE_POLICIES),
	requireUploaderName: v.boolean(),
	requireUploaderEmail: v.boolean(),
	passwordRequired: v.boolean(),
});

export const Command = v.object({
	id: v.string(),
	linkId: v.string(),
	seq: v.number(),
	kind: v.picklist(COMMAND_KINDS),
	actor: v.string(),
	status: v.picklist(COMMAND_STATUSES),
	acceptedEpoch: v.number(),
	appliedEpoch: v.nullable(v.number()),
	result: v.nullable(v.string()),
	error: v.nullable(v.string()),
	attempts: v.number(),
	steps: v.array(v.object({ name: v.picklist(STEP_NAMES), done: v.boolean() })),
	createdAt: v.string(),
	updatedAt: v.string(),
	finishedAt: v.nullable(v.string()),
});

export const CommandResponse = v.object({ command: Command });
export const CommandAccepted = v.object({
	command: Command,
	statusUrl: v.string(),
	retryToken: v.nullable(v.string()),
});
/**
 * A one-request upload accepted: its finalize command (as POST .../finalize
 * answers it), the upload, and its Upload-Token (null on an Idempotency-Key
 * replay, which hands over nothing that lets anyone act on the upload).
 */
export const SmallUploadAccepted = v.object({
	...CommandAccepted.entries,
	upload: Upload,
	uploadToken: v.nullable(v.string()),
});
export const CommandList = v.object({
	items: v.array(Command),
	nextCursor: v.nullable(v.string()),
});

export const CommandListQuery = v.object({
	limit: ListQuery.entries.limit,
	cursor: v.optional(v.pipe(v.string(), v.regex(/^[1-9][0-9]{0,14}$/, "a cursor from nextCursor"))),
});

export const DeadLetterListQuery = v.object({
	...ListQuery.entries,
	status: v.optional(v.picklist(DEAD_LETTER_STATUSES)),
	linkId: v.optional(v.pipe(v.string(), v.maxLength(64))),
});
export const DeadLetterIdParam = v.object({ id: v.pipe(v.string(), v.maxLength(64)) });
export const DeadLetter = v.object({
	id: v.string(),
	messageId: v.string(),
	queue: v.string(),
	linkId: v.nullable(v.string()),
	commandId: v.nullable(v.string()),
	seq: v.nullable(v.number()),
	body: v.string(),
	attempts: v.number(),
	lastError: v.nullable(v.string()),
	status: v.picklist(DEAD_LETTER_STATUSES),
	createdAt: v.string(),
	updatedAt: v.string(),
});
export const DeadLetterList = v.object({
	items: v.array(DeadLetter),
	nextCursor: v.nullable(v.string()),
});
export const DeadLetterDetail = v.object({ deadLetter: DeadLetter, command: v.nullable(Command) });

export const Link = v.object({
	id: v.string(),
	ownerId: v.string(),
	state: v.picklist(LINK_STATES),
	phase: v.picklist(PHASES),
	closing: v.boolean(),
	epoch: v.number(),
	terminalEpoch: v.nullable(v.number()),
	settingsRevision: v.number(),
	settings: Settings,
	counters: v.object({
		files: v.number(),
		bytes: v.number(),
		reservedFiles: v.number(),
		reservedBytes: v.number(),
	}),
	pendingCommands: v.array(Command),
	createdAt: v.string(),
	updatedAt: v.string(),
});

export const LinkResponse = v.object({ link: Link });
export const CreatedLinkResponse = v.object({
	link: Link,
	/** `<origin>/r/<linkId>#<secret>`: the secret is in the fragment (again: GET /api/links/:linkId/upload-url). */
	uploadUrl: v.string(),
});

/** `<origin>/r/<linkId>#<secret>` again, for the link's owner or an admin. */
export const UploadUrlResponse = v.object({ uploadUrl: v.string() });

export const LinkSummary = v.object({
	id: v.string(),
	ownerId: v.string(),
	title: v.string(),
	state: v.picklist(LINK_STATES),
	epoch: v.number(),
	closing: v.boolean(),
	expiresAt: v.nullable(v.string()),
	/** Finalized files and their bytes (the D1 file index; 0 once a delete purged them). */
	files: v.number(),
	bytes: v.number(),
	createdAt: v.string(),
	updatedAt: v.string(),
});
export const LinkList = v.object({
	items: v.array(LinkSummary),
	nextCursor: v.nullable(v.string()),
});

export const PublicLink = v.object({
	link: v.object({
		title: v.string(),
		description: v.string(),
		state: v.picklist(LINK_STATES),
		phase: v.picklist(PHASES),
		epoch: v.number(),
		passwordRequired: v.boolean(),
		requireUploaderName: v.boolean(),
		requireUploaderEmail: v.boolean(),
		expiresAt: v.nullable(v.string()),
		limits: v.object({
			maxFiles: v.nullable(v.number()),
			maxFileBytes: v.number(),
			maxTotalBytes: v.nullable(v.number()),
			allowedExtensions: v.array(v.string()),
			allowedMimeTypes: v.array(v.string()),
			remainingFiles: v.nullable(v.number()),
			remainingBytes: v.nullable(v.number()),
		}),
		defaultPartSize: v.number(),
		minPartSize: v.number(),
	}),
});

const Owner = v.object({
	id: v.string(),
	name: v.string(),
	email: v.nullable(v.string()),
	createdAt: v.string(),
});
export const CreatedOwner = v.object({ owner: Owner, apiKey: v.string() });

/** An owner as the admin console shows it: the live key by prefix only, never the key or its hash. */
export const OwnerSummary = v.object({
	...Owner.entries,
	/** The first 8 characters of the owner's live API key (`rlk_` + 4); null with no live key. */
	keyPrefix: v.nullable(v.string()),
	keyCreatedAt: v.nullable(v.string()),
	linkCount: v.number(),
});
export const OwnerResponse = v.object({ owner: OwnerSummary });
export const OwnerList = v.object({
	items: v.array(OwnerSummary),
	nextCursor: v.nullable(v.string()),
});
/** A rotated key: the owner with its new key's prefix, and the new key (shown only here). */
export const RotatedOwnerKey = v.object({ owner: OwnerSummary, apiKey: v.string() });

export const ProblemBody = v.object({
	type: v.string(),
	title: v.string(),
	status: v.number(),
	detail: v.string(),
	code: v.string(),
	epoch: v.optional(v.number()),
	retryable: v.optional(v.boolean()),
	retryAfter: v.optional(v.number()),
	issues: v.optional(v.array(v.object({ path: v.string(), message: v.string() }))),
	missingParts: v.optional(v.array(v.number())),
});
