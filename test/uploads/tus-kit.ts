/** Shared builders of the tus endpoint's tests (tus.test.ts, tus-length.test.ts). */
import { expect } from "vitest";
import { ADMIN, call, openLink, parseUploadUrl, sha256HexOf, waitForCommand } from "../helpers";

export const MiB = 1024 * 1024;
export const TUS = { "Tus-Resumable": "1.0.0" };

export const b64 = (text: string) => btoa(text);

/** A link and the tus headers of its uploaders. */
export async function tusLink(settings: Record<string, unknown> = {}) {
	const { apiKey, linkId, uploadUrl } = await openLink(settings);
	const secret = parseUploadUrl(uploadUrl).secret;
	const headers = { ...TUS, "Link-Secret": secret };
	return { apiKey, linkId, headers, base: `/r/${linkId}/tus/` };
}

export async function create(
	base: string,
	headers: Record<string, string>,
	size: number,
	extra: Record<string, string> = {},
	body?: Uint8Array,
) {
	const res = await call(base, {
		method: "POST",
		headers: {
			...headers,
			"Upload-Length": String(size),
			"Upload-Metadata": `filename ${b64("a.bin")},filetype ${b64("application/octet-stream")}`,
			...(body ? { "Content-Type": "application/offset+octet-stream" } : {}),
			...extra,
		},
		...(body ? { body } : {}),
	});
	return res;
}

export function patch(
	url: string,
	headers: Record<string, string>,
	offset: number,
	body: BodyInit,
) {
	return call(new URL(url).pathname, {
		method: "PATCH",
		headers: {
			...headers,
			"Content-Type": "application/offset+octet-stream",
			"Upload-Offset": String(offset),
		},
		body,
	});
}

/** Sends `data` in PATCHes of `chunk` bytes; the last answer. */
export async function sendAll(
	url: string,
	headers: Record<string, string>,
	data: Uint8Array,
	chunk: number,
	from = 0,
) {
	let offset = from;
	let res: Response | null = null;
	while (offset < data.byteLength) {
		const piece = data.subarray(offset, Math.min(offset + chunk, data.byteLength));
		res = await patch(url, headers, offset, piece);
		expect(res.status, await res.clone().text()).toBe(204);
		const next = Number(res.headers.get("upload-offset"));
		expect(next).toBe(offset + piece.byteLength);
		offset = next;
	}
	return res as Response;
}

/** The finalize command named by the last PATCH succeeds, and the owner gets the same bytes. */
export async function expectDelivered(res: Response, linkId: string, data: Uint8Array) {
	const commandId = res.headers.get("receive-link-command");
	expect(commandId).toMatch(/^cmd_/);
	expect(res.headers.get("receive-link-command-status")).toBe(`/api/commands/${commandId}`);
	expect(res.headers.get("receive-link-retry-token")).toMatch(/^rt1\./);
	expect((await waitForCommand(commandId ?? "")).status).toBe("succeeded");
	const files = (await (await call(`/api/links/${linkId}/files`, { headers: ADMIN })).json()) as {
		items: { downloadUrl: string }[];
	};
	const url = files.items[0]?.downloadUrl ?? "";
	const got = new Uint8Array(await (await call(url, { headers: ADMIN })).arrayBuffer());
	expect(await sha256HexOf(got)).toBe(await sha256HexOf(data));
}
