/**
 * The settings form in both directions: a link's settings as the strings a
 * form shows (sizes in MiB, the expiry as a UTC date-time, types as comma
 * lists), and a submitted form back into the API's `SettingsInput`, with the
 * mistakes a person can make found here and the API's own validation issues
 * turned into sentences next to the fields. Pure: no I/O.
 */
import type { LinkSettingsView, SettingsInput } from "../../contract";

export const MiB = 1024 * 1024;

/** The fields of the form (sizes under their MiB names; the password is never shown back). */
export interface SettingsValues {
	title: string;
	description: string;
	maxFileMiB: string;
	maxFiles: string;
	maxTotalMiB: string;
	allowedExtensions: string;
	allowedMimeTypes: string;
	expiresAt: string;
	lateFinalize: string;
	requireUploaderName: boolean;
	requireUploaderEmail: boolean;
}

export type FieldName = keyof SettingsValues | "password";
export type FieldErrors = Partial<Record<FieldName, string>>;

/** What to do with the password: create knows only `set` (when one is typed) and `keep` (none). */
export type PasswordAction = "keep" | "set" | "remove";

export interface SubmittedSettings {
	values: SettingsValues;
	passwordAction: PasswordAction;
	/** Typed password; used once, never rendered back. */
	password: string;
}

/** A number of bytes as MiB for an input: `20`, `0.5`, `5120` (up to 6 decimals). */
export function mibText(bytes: number | null): string {
	if (bytes === null) return "";
	return Number((bytes / MiB).toFixed(6)).toString();
}

/** An ISO instant as a `datetime-local` value in UTC (`2026-12-03T08:11`). */
export function dateTimeText(iso: string | null): string {
	if (!iso) return "";
	const d = new Date(iso);
	return Number.isNaN(d.getTime()) ? "" : d.toISOString().slice(0, 16);
}

/** A link's current settings as the form shows them. */
export function valuesOf(s: LinkSettingsView): SettingsValues {
	return {
		title: s.title,
		description: s.description,
		maxFileMiB: mibText(s.maxFileBytes),
		maxFiles: s.maxFiles === null ? "" : String(s.maxFiles),
		maxTotalMiB: mibText(s.maxTotalBytes),
		allowedExtensions: s.allowedExtensions.join(", "),
		allowedMimeTypes: s.allowedMimeTypes.join(", "),
		expiresAt: dateTimeText(s.expiresAt),
		lateFinalize: s.lateFinalize,
		requireUploaderName: s.requireUploaderName,
		requireUploaderEmail: s.requireUploaderEmail,
	};
}

type FormBody = Record<string, unknown>;
const str = (body: FormBody, name: string): string => {
	const v = body[name];
	return typeof v === "string" ? v : "";
};

/** A submitted form (hono's `parseBody()`), as strings and booleans. */
export function submitted(body: FormBody): SubmittedSettings {
	const action = str(body, "passwordAction");
	const password = str(body, "password");
	return {
		values: {
			title: str(body, "title").trim(),
			description: str(body, "description").replace(/\r\n/g, "\n").trim(),
			maxFileMiB: str(body, "maxFileMiB").trim(),
			maxFiles: str(body, "maxFiles").trim(),
			maxTotalMiB: str(body, "maxTotalMiB").trim(),
			allowedExtensions: str(body, "allowedExtensions").trim(),
			allowedMimeTypes: str(body, "allowedMimeTypes").trim(),
			expiresAt: str(body, "expiresAt").trim(),
			lateFinalize: str(body, "lateFinalize") === "reject" ? "reject" : "recover",
			requireUploaderName: body.requireUploaderName !== undefined,
			requireUploaderEmail: body.requireUploaderEmail !== undefined,
		},
		// On create there is no choice to make: a typed password is set.
		passwordAction:
			action === "set" || action === "remove"
				? action
				: action === "" && password !== ""
					? "set"
					: "keep",
		password,
	};
}

/** Prefix of the hidden fields an edit form carries: the values it was filled with. */
export const WAS = "was.";

/**
 * The values an edit form was filled with (its hidden `was.*` fields), so an
 * edit sends what the person changed and nothing else; null when absent.
 */
export function submittedWas(body: FormBody): SettingsValues | null {
	if (typeof body[`${WAS}title`] !== "string") return null;
	const was: FormBody = {};
	for (const [k, v] of Object.entries(body))
		if (k.startsWith(WAS) && (typeof v !== "string" || v !== "")) was[k.slice(WAS.length)] = v;
	return submitted(was).values;
}

/** The fields whose values differ between `a` and `b`, in form order. */
export function differing(a: SettingsValues, b: SettingsValues): (keyof SettingsValues)[] {
	return (Object.keys(a) as (keyof SettingsValues)[]).filter((k) => a[k] !== b[k]);
}

const list = (text: string): string[] => text.split(/[\s,;]+/).filter((s) => s !== "");

function mib(text: string, errors: FieldErrors, field: FieldName, required: boolean) {
	if (text === "") {
		if (required) errors[field] = "Enter a size in MiB, such as 20 or 0.5.";
		return null;
	}
	const n = Number(text);
	if (!/^[0-9]*\.?[0-9]+$/.test(text) || !Number.isFinite(n) || Math.round(n * MiB) < 1) {
		errors[field] = "Enter a size in MiB greater than 0, such as 20 or 0.5.";
		return null;
	}
	return Math.round(n * MiB);
}

/**
 * The API body for `form`. `only` limits it to the fields that differ from
 * what the form was filled with (an edit sends only what the person changed);
 * without it every field is sent (a new link). Errors found here keep the
 * request from being sent at all.
 */
export function toInput(
	form: SubmittedSettings,
	only?: SettingsValues,
): { input: SettingsInput; errors: FieldErrors } {
	const v = form.values;
	const errors: FieldErrors = {};
	const input: SettingsInput = {};
	const wanted = (f: keyof SettingsValues) => !only || only[f] !== v[f];

	if (wanted("title")) {
		if (v.title === "") errors.title = "Give the link a title.";
		else input.title = v.title;
	}
	if (wanted("description")) input.description = v.description;
	if (wanted("maxFileMiB")) {
		const n = mib(v.maxFileMiB, errors, "maxFileMiB", true);
		if (n !== null) input.maxFileBytes = n;
	}
	if (wanted("maxTotalMiB")) {
		const n = mib(v.maxTotalMiB, errors, "maxTotalMiB", false);
		if (!errors.maxTotalMiB) input.maxTotalBytes = n;
	}
	if (wanted("maxFiles")) {
		if (v.maxFiles === "") input.maxFiles = null;
		else if (/^[0-9]{1,6}$/.test(v.maxFiles) && Number(v.maxFiles) >= 1)
			input.maxFiles = Number(v.maxFiles);
		else errors.maxFiles = "Enter a whole number of files (1 or more), or leave it empty.";
	}
	if (wanted("allowedExtensions")) input.allowedExtensions = list(v.allowedExtensions);
	if (wanted("allowedMimeTypes")) input.allowedMimeTypes = list(v.allowedMimeTypes);
	if (wanted("expiresAt")) {
		if (v.expiresAt === "") input.expiresAt = null;
		else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(v.expiresAt)) {
			const at = new Date(`${v.expiresAt}Z`);
			if (Number.isNaN(at.getTime())) errors.expiresAt = EXPIRY_FORMAT;
			else input.expiresAt = at.toISOString();
		} else errors.expiresAt = EXPIRY_FORMAT;
	}
	if (wanted("lateFinalize"))
		input.lateFinalize = v.lateFinalize === "reject" ? "reject" : "recover";
	if (wanted("requireUploaderName")) input.requireUploaderName = v.requireUploaderName;
	if (wanted("requireUploaderEmail")) input.requireUploaderEmail = v.requireUploaderEmail;

	if (form.passwordAction === "remove") input.password = null;
	else if (form.passwordAction === "set") {
		if (form.password.length < 8 || form.password.length > 256)
			errors.password = "A password needs 8 to 256 characters.";
		else input.password = form.password;
	}
	return { input, errors };
}

const EXPIRY_FORMAT =
	"Enter a date and a time (UTC), or leave both empty for a link that never expires.";

/** The sentence under each field when the API refused its value. */
const FIELD_HELP: Record<FieldName, string> = {
	title: "Give the link a title of at most 200 characters.",
	description: "The description can have at most 2,000 characters.",
	maxFileMiB: "Enter a size in MiB greater than 0 and at most 5 TiB.",
	maxFiles: "Enter a whole number of files from 1 to 10,000, or leave it empty.",
	maxTotalMiB: "Enter a size in MiB greater than 0, or leave it empty for no limit.",
	allowedExtensions:
		"Write extensions such as pdf, png or .jpg, separated by commas (at most 100).",
	allowedMimeTypes:
		"Write types such as application/pdf or image/*, separated by commas (at most 100).",
	expiresAt: "Pick a time in the future, at most 10 years from now.",
	lateFinalize: "Choose one of the two options.",
	requireUploaderName: "Tick the box or leave it empty.",
	requireUploaderEmail: "Tick the box or leave it empty.",
	password: "A password needs 8 to 256 characters.",
};

/** API field names (the first segment of an issue's path) as form fields. */
const FIELD_OF: Record<string, FieldName> = {
	title: "title",
	description: "description",
	maxFileBytes: "maxFileMiB",
	maxFiles: "maxFiles",
	maxTotalBytes: "maxTotalMiB",
	allowedExtensions: "allowedExtensions",
	allowedMimeTypes: "allowedMimeTypes",
	expiresAt: "expiresAt",
	lateFinalize: "lateFinalize",
	requireUploaderName: "requireUploaderName",
	requireUploaderEmail: "requireUploaderEmail",
	password: "password",
};

/**
 * A `validation-failed` problem's issues as sentences next to the fields;
 * null when none of them names a field of the form (then the page shows the
 * problem as a whole).
 */
export function errorsOfIssues(issues: unknown): FieldErrors | null {
	if (!Array.isArray(issues)) return null;
	const errors: FieldErrors = {};
	for (const issue of issues) {
		const path = typeof issue?.path === "string" ? issue.path : "";
		const message = typeof issue?.message === "string" ? issue.message : "";
		const field = FIELD_OF[path.split(".")[0] ?? ""];
		if (!field || errors[field]) continue;
		if (field === "maxFileMiB" && /maxTotalBytes/.test(message))
			errors[field] = "The largest file cannot be larger than the total for all files.";
		else if (field === "expiresAt" && /future/.test(message))
			errors[field] = "Pick a time in the future.";
		else errors[field] = FIELD_HELP[field];
	}
	return Object.keys(errors).length > 0 ? errors : null;
}
