/**
 * Structured logs: one JSON object per line, `{"level","event",...fields}`.
 * Workers Logs (`[observability]` in wrangler.toml) indexes the fields of a
 * JSON line, so operators filter on `event`, `requestId`, `linkId`,
 * `commandId` (docs/operations.md lists every event). Fields are ids, counts,
 * codes and durations only: never a secret, token, key, password, cookie, file
 * name or URL (the log-secrecy check of the test suite enforces the first
 * four).
 */

export type LogValue =
	| string
	| number
	| boolean
	| null
	| undefined
	| readonly string[]
	| Readonly<Record<string, number>>;
export type LogFields = Record<string, LogValue>;
export type LogLevel = "info" | "warn" | "error";

export function logEvent(event: string, fields: LogFields = {}, level: LogLevel = "info"): void {
	const line = JSON.stringify({ level, event, ...fields });
	if (level === "error") console.error(line);
	else if (level === "warn") console.warn(line);
	else console.log(line);
}

/** An error as a short log field: its name and message, at most 300 characters, no stack. */
export function errorField(error: unknown): string {
	const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
	return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
