/** Shared builders of the hostile-uploader tests (hostile.test.ts, hostile-requests.test.ts). */
import { expect } from "vitest";
import type { UploadView } from "../../src/do/rpc";
import { bodyOf, type Created, callLink, sleep } from "../helpers";

export const MiB = 1024 * 1024;
/** A multipart upload of two parts: 8 MiB, then 10 bytes. */
export const TWO_PARTS = 8 * MiB + 10;

export const uploadPath = (uploadId: string) => `/uploads/${uploadId}`;

export function put(
	uploadUrl: string,
	s: Created,
	body: BodyInit,
	path = "",
	token = s.uploadToken,
): Promise<Response> {
	return callLink(uploadUrl, `${uploadPath(s.upload.id)}${path}`, {
		method: "PUT",
		headers: { "Upload-Token": token },
		body,
	});
}

export async function status(uploadUrl: string, s: Created): Promise<UploadView> {
	const res = await callLink(uploadUrl, uploadPath(s.upload.id), {
		headers: { "Upload-Token": s.uploadToken },
	});
	expect(res.status).toBe(200);
	return (await bodyOf<{ upload: UploadView }>(res)).upload;
}

/**
 * A body with no Content-Length: the given chunks, streamed one at a time
 * with a pause between them, so the server sees each chunk on its own.
 */
export function streamOf(...chunks: Uint8Array[]): ReadableStream<Uint8Array> {
	let next = 0;
	return new ReadableStream<Uint8Array>({
		async pull(controller) {
			if (next > 0) await sleep(30);
			const chunk = chunks[next++];
			if (chunk) controller.enqueue(chunk);
			else controller.close();
		},
	});
}

/** Every request an uploader can make on a session, with the given Upload-Token header. */
export function sessionCalls(uploadUrl: string, uploadId: string, headers: Record<string, string>) {
	const path = uploadPath(uploadId);
	const to = (p: string, init: RequestInit = {}) => callLink(uploadUrl, p, { ...init, headers });
	return [
		() => to(path),
		() => to(path, { method: "PUT", body: new Uint8Array([1, 2, 3]) }),
		() => to(`${path}/parts/1`, { method: "PUT", body: new Uint8Array([1, 2, 3]) }),
		() => to(`${path}/complete`, { method: "POST" }),
		() => to(`${path}/finalize`, { method: "POST" }),
		() => to(path, { method: "DELETE" }),
	];
}

export function flip(s: string, i: number): string {
	return s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
}

/** An init with a raw body under the given Content-Type (for bodies a JSON client would never send). */
export function postInit(uploadUrl: string, body: string, contentType: string): Promise<Response> {
	return callLink(uploadUrl, "/uploads", {
		method: "POST",
		headers: { "Content-Type": contentType },
		body,
	});
}
