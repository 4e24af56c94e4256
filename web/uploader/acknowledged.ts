// What the server has acknowledged of each upload, for the progress Uppy shows.
//
// Uppy counts bytes as they leave the browser. When a link is paused, the
// PATCH that was in flight is refused (423) after its bytes left, and Uppy
// then shows 100 % (and, once at 100 %, ignores any lower progress) while
// the server holds less: the page's own list said "8 MiB of 12 MiB", Uppy's
// status bar "Uploading: 100 %". After such a refusal the file's progress
// goes back to the last offset the server acknowledged; tus-js-client
// resumes from that same offset once the link reopens.

import type Uppy from "@uppy/core";
import type { Meta, UppyFile } from "@uppy/core";
import type { TusBody } from "@uppy/tus";
import type { HttpRequest, HttpResponse } from "tus-js-client";

export class AcknowledgedProgress {
	/** The file each request carries: tus-js-client hands the same request to both hooks. */
	private readonly files = new WeakMap<HttpRequest, string>();
	/** Per upload URL, the server's last `Upload-Offset` (HEAD and PATCH answers). */
	private readonly offsets = new Map<string, number>();

	constructor(private readonly uppy: Uppy<Meta, TusBody>) {}

	/** A request is about to go for `fileId`. */
	sending(req: HttpRequest, fileId: string): void {
		this.files.set(req, fileId);
	}

	/** An answer arrived: note the offset; a PATCH refused with 423 rewinds the file's progress. */
	answered(req: HttpRequest, res: HttpResponse): void {
		const status = res.getStatus();
		const offset = Number.parseInt(res.getHeader("Upload-Offset") ?? "", 10);
		if (status < 300 && Number.isSafeInteger(offset)) this.offsets.set(req.getURL(), offset);
		if (req.getMethod() === "PATCH" && status === 423) this.rewind(req);
	}

	private rewind(req: HttpRequest): void {
		const id = this.files.get(req);
		const file = id ? fileIn(this.uppy, id) : undefined;
		if (!file || file.progress.uploadComplete) return;
		const total = file.size ?? 0;
		const acknowledged = Math.min(this.offsets.get(req.getURL()) ?? 0, total);
		if (file.progress.bytesUploaded === acknowledged) return;
		// Below 100 first: Uppy drops progress reports for a file already at 100 %.
		const percentage = total > 0 ? Math.floor((acknowledged / total) * 100) : 0;
		this.uppy.setFileState(file.id, { progress: { ...file.progress, percentage } });
		this.uppy.emit("upload-progress", fileIn(this.uppy, file.id), {
			uploadStarted: file.progress.uploadStarted ?? Date.now(),
			bytesUploaded: acknowledged,
			bytesTotal: total,
		});
	}
}

/** The file with this id, or undefined once it was removed (Uppy's getFile throws then). */
export function fileIn(uppy: Uppy<Meta, TusBody>, id: string): UppyFile<Meta, TusBody> | undefined {
	try {
		return uppy.getFile(id);
	} catch {
		return undefined;
	}
}
