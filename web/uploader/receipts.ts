// "Received" means the file's finalize command succeeded, not just that its
// bytes arrived. The tus answer that completes an upload (the last PATCH, a
// HEAD that finds it complete, or the creation of an empty file) names that
// command: `Receive-Link-Command-Status` (where to poll) and
// `Receive-Link-Retry-Token` (the only credential the poll needs). They are
// kept per upload URL until Uppy reports the upload's success, then the
// command is followed until it is final.
import type { HttpRequest, HttpResponse } from "tus-js-client";
import { type CommandState, followCommand } from "./api.ts";
import { finalizeWords } from "./sentences.ts";
import type { StatusList } from "./status-list.ts";

const UNCONFIRMED = "The service did not confirm this file. Ask the owner whether it arrived.";

export class Receipts {
	private readonly byUpload = new Map<string, { statusUrl: string; retryToken: string }>();

	constructor(
		private readonly endpoint: string,
		private readonly list: StatusList,
		private readonly onReceived: () => void,
	) {}

	/** Keeps the command named by a tus answer, under its upload URL. */
	capture(req: HttpRequest, res: HttpResponse): void {
		const statusUrl = res.getHeader("Receive-Link-Command-Status");
		const retryToken = res.getHeader("Receive-Link-Retry-Token");
		if (!statusUrl || !retryToken) return;
		const url =
			req.getMethod() === "POST"
				? new URL(res.getHeader("Location") ?? "", this.endpoint).href
				: req.getURL();
		this.byUpload.set(url, { statusUrl, retryToken });
	}

	/** The upload's bytes are all there: "Checking…" until its command says received (or why not). */
	follow(fileId: string, uploadUrl: string | undefined): void {
		const receipt = uploadUrl ? this.byUpload.get(uploadUrl) : undefined;
		if (!receipt) {
			this.list.set(fileId, "failed", UNCONFIRMED);
			return;
		}
		this.list.set(fileId, "checking");
		const onStatus = (s: CommandState) => {
			if (s.status === "dead_lettered")
				this.list.set(fileId, "checking", "this is taking longer than usual; it goes on by itself");
		};
		void followCommand(receipt.statusUrl, receipt.retryToken, onStatus).then((final) => {
			if (uploadUrl) this.byUpload.delete(uploadUrl);
			if (final?.status === "succeeded") {
				this.list.set(fileId, "received");
				this.onReceived();
			} else if (final?.status === "rejected" || final?.status === "cancelled") {
				this.list.set(fileId, "failed", finalizeWords(final.result));
			} else {
				this.list.set(fileId, "failed", UNCONFIRMED);
			}
		});
	}
}
