/**
 * Link settings and limits: defaults and the cross-field rules. Pure.
 * Shapes are validated at the edge (src/contract/schemas.ts); this module decides
 * whether a well-formed patch makes sense for the link.
 */
import type { LateFinalizePolicy } from "../contract/enums";
import { type Problem, problem } from "./problems";

export type { LateFinalizePolicy };

export interface LinkSettings {
	title: string;
	description: string;
	/** Maximum number of files the link accepts; null: unlimited. */
	maxFiles: number | null;
	/** Maximum bytes of one file. */
	maxFileBytes: number;
	/** Maximum bytes over all files; null: unlimited. */
	maxTotalBytes: number | null;
	/** Lower-case extensions without the dot; empty: any. */
	allowedExtensions: string[];
	/** MIME types or `type/*` patterns; empty: any. */
	allowedMimeTypes: string[];
	/** ISO 8601 instant at which the link expires; null: never. */
	expiresAt: string | null;
	lateFinalize: LateFinalizePolicy;
	requireUploaderName: boolean;
	requireUploaderEmail: boolean;
}

/** A settings patch; `password` is write-only (null clears it). */
export type SettingsPatch = Partial<LinkSettings> & { password?: string | null };

export const GiB = 1024 ** 3;

export const DEFAULT_SETTINGS: LinkSettings = {
	title: "Untitled file request",
	description: "",
	maxFiles: 100,
	maxFileBytes: 5 * GiB,
	maxTotalBytes: null,
	allowedExtensions: [],
	allowedMimeTypes: [],
	expiresAt: null,
	lateFinalize: "recover",
	requireUploaderName: false,
	requireUploaderEmail: false,
};

/**
 * How far ahead a link may expire. A bound keeps every expiry a date the
 * Durable Object alarm API accepts (it refuses dates after 2189), and a link
 * meant to live longer than this should simply not expire.
 */
export const MAX_EXPIRY_YEARS = 10;

/** The latest instant (ms) a link created or changed at `now` may expire at. */
export function latestExpiry(now: number): number {
	const d = new Date(now);
	d.setUTCFullYear(d.getUTCFullYear() + MAX_EXPIRY_YEARS);
	return d.getTime();
}

/**
 * Merges a patch into settings and checks the rules that span fields.
 * A new expiry must lie in the future (`now` in ms) and at most
 * `MAX_EXPIRY_YEARS` ahead; an expiry already stored is not judged again.
 */
export function mergeSettings(
	current: LinkSettings,
	patch: SettingsPatch,
	now: number,
): { ok: true; value: LinkSettings } | { ok: false; problem: Problem } {
	const { password: _password, ...fields } = patch;
	const next: LinkSettings = { ...current, ...fields };
	next.allowedExtensions = unique(next.allowedExtensions.map((e) => e.toLowerCase()));
	next.allowedMimeTypes = unique(next.allowedMimeTypes.map((m) => m.toLowerCase()));
	if (next.maxTotalBytes !== null && next.maxFileBytes > next.maxTotalBytes) {
		return invalid("maxFileBytes", "maxFileBytes may not exceed maxTotalBytes.");
	}
	if (patch.expiresAt !== undefined && patch.expiresAt !== null) {
		const at = Date.parse(patch.expiresAt);
		if (!Number.isFinite(at) || !isCalendarDate(patch.expiresAt))
			return invalid("expiresAt", "expiresAt is not a valid instant (no such date).");
		if (at <= now) return invalid("expiresAt", "expiresAt must be in the future.");
		const latest = latestExpiry(now);
		if (at > latest) {
			return invalid(
				"expiresAt",
				`expiresAt must be within ${MAX_EXPIRY_YEARS} years from now (no later than ${new Date(latest).toISOString()}); use null for a link that never expires.`,
			);
		}
		next.expiresAt = new Date(at).toISOString();
	}
	return { ok: true, value: next };
}

/**
 * Whether an ISO 8601 timestamp's date exists on the calendar: `Date.parse`
 * rolls `2030-02-30` over to March 2 instead of refusing it, and the
 * timestamp format alone allows any day up to 31.
 */
export function isCalendarDate(iso: string): boolean {
	const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
	if (!m) return false;
	const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
	const date = new Date(Date.UTC(year, month - 1, day));
	return (
		date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
	);
}

/** The instant (ms) a link expires at, or null. */
export function expiryMs(settings: LinkSettings): number | null {
	return settings.expiresAt === null ? null : Date.parse(settings.expiresAt);
}

function unique(values: string[]): string[] {
	return [...new Set(values)];
}

function invalid(field: string, detail: string): { ok: false; problem: Problem } {
	return {
		ok: false,
		problem: problem("validation-failed", detail, {
			extra: { issues: [{ path: field, message: detail }] },
		}),
	};
}
