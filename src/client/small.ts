/**
 * What the uploader client needs for one-request small uploads
 * (`POST /r/<linkId>/files`, docs/uploads.md#one-request-small-files): the
 * size limit and the `Upload-Metadata` header (tus format).
 */

/** The largest file one request carries (one part size, the service's `SMALL_MAX_BYTES`). */
export const SMALL_UPLOAD_MAX_BYTES = 8 * 1024 * 1024;

/** Metadata fields of a one-request upload (each optional but the name). */
export interface SmallMeta {
	name: string;
	type?: string;
	uploaderName?: string;
	uploaderEmail?: string;
	sha256?: string;
	password?: string;
}

const base64 = (text: string): string => {
	let binary = "";
	for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
	return btoa(binary);
};

/** `Upload-Metadata`: `key base64(utf-8 value)` pairs, comma-separated, for the fields given. */
export function smallMetadata(meta: SmallMeta): string {
	const fields: [string, string | undefined][] = [
		["filename", meta.name],
		["filetype", meta.type],
		["name", meta.uploaderName],
		["email", meta.uploaderEmail],
		["sha256", meta.sha256],
		["password", meta.password],
	];
	return fields
		.filter((f): f is [string, string] => f[1] !== undefined)
		.map(([key, value]) => `${key} ${base64(value)}`)
		.join(",");
}
