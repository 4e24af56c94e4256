// Uppy (core, an inline dashboard, tus) sending files to the link's tus
// endpoint, and everything this service adds around it:
// - the secret only in the `Link-Secret` header; `chunkSize` = the link's part size;
// - the uploader's details and the password added to the creation request only;
// - 423 (paused / closing) holds requests until the link reopens (LinkWatch),
//   410 closes the page; other refusals become words per file;
// - a finished upload's finalize command (Receive-Link-* headers) is followed
//   until the file is "Received" (or why not).
import Uppy, { type Meta, type UppyFile } from "@uppy/core";
import Dashboard from "@uppy/dashboard";
import Tus, { type TusBody, type TusDetailedError } from "@uppy/tus";
import type { HttpRequest, HttpResponse } from "tus-js-client";
import { formatBytes } from "../../src/client/vocabulary.ts";
import { AcknowledgedProgress, fileIn } from "./acknowledged.ts";
import { type LinkApi, type PublicLinkInfo, problemOf } from "./api.ts";
import type { Details } from "./details.ts";
import type { LinkWatch, WatchState } from "./link-watch.ts";
import { outcomeOf, PasswordGate } from "./password-gate.ts";
import { Receipts } from "./receipts.ts";
import { fileRefusal, quotaRefusal, restrictionsOf, typeRefusal } from "./restrictions.ts";
import { forgetUploads, pendingUploads } from "./resume-store.ts";
import { fileProblemWords, typesSentence } from "./sentences.ts";
import type { StatusList } from "./status-list.ts";
import { patchUppyA11y } from "./uppy-a11y.ts";

type File = UppyFile<Meta, TusBody>;

/**
 * Retries of one request: a long list, since tus-js-client gives up once it
 * is used up (the default has four). It restarts whenever bytes went through,
 * and a paused link does not use it up (requests are held, see LinkWatch).
 */
const RETRY_DELAYS = [
	0,
	1000,
	3000,
	5000,
	10_000,
	15_000,
	30_000,
	...Array<number>(20).fill(60_000),
];
const CREDENTIAL_CODES = new Set(["password-incorrect", "password-required", "too-many-attempts"]);

export interface SenderHooks {
	/** The password or details were refused: show it next to the field. */
	onCredentials(code: string, retryAfter: number | undefined): void;
	/** A file was refused before sending (kind, size, quota): a note in words. */
	onRefused(message: string): void;
}

const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));

export class Sender {
	readonly uppy: Uppy<Meta, TusBody>;
	private readonly gate: PasswordGate;
	private readonly receipts: Receipts;
	private readonly acknowledged: AcknowledgedProgress;
	private readonly credentialFailures = new Set<string>();
	private readonly restrictions;
	private details: Details = { name: "", email: "", password: "" };

	constructor(
		target: HTMLElement,
		private readonly api: LinkApi,
		private readonly link: PublicLinkInfo,
		private readonly watch: LinkWatch,
		private readonly list: StatusList,
		private readonly hooks: SenderHooks,
	) {
		this.gate = new PasswordGate(link.passwordRequired);
		// Once a file is received, ask the link again: the page shows what is left of its quota.
		this.receipts = new Receipts(api.endpoint, list, () => void watch.check());
		this.restrictions = restrictionsOf(link.limits, pendingUploads(api.endpoint));
		this.uppy = new Uppy<Meta, TusBody>({
			id: "uploader",
			autoProceed: true,
			restrictions: this.restrictions,
			onBeforeFileAdded: (file, files) => this.admit(file, files),
		});
		this.uppy.use(Dashboard<Meta, TusBody>, {
			inline: true,
			target,
			width: "100%",
			height: 340,
			theme: "light",
			proudlyDisplayPoweredByUppy: false,
			hideUploadButton: true,
			doneButtonHandler: null,
			singleFileFullScreen: false,
			// Its EXIF reader fetches `blob:` URLs, which the page's CSP (connect-src 'self') refuses.
			disableThumbnailGenerator: true,
			note: `${typesSentence(link.limits) ?? "Any kind of file."} Up to ${formatBytes(link.limits.maxFileBytes)} each.`,
		});
		patchUppyA11y(target);
		this.acknowledged = new AcknowledgedProgress(this.uppy);
		this.uppy.use(Tus<Meta, TusBody>, {
			endpoint: api.endpoint,
			headers: api.headers,
			chunkSize: link.defaultPartSize,
			limit: 3,
			retryDelays: RETRY_DELAYS,
			storeFingerprintForResuming: true,
			removeFingerprintOnSuccess: true,
			// Uppy's own `name` meta is the file's name; the server reads `name` as the uploader's.
			allowedMetaFields: ["filename", "filetype"],
			onBeforeRequest: (req, file) => this.beforeRequest(req, file),
			onAfterResponse: (req, res) => this.afterResponse(req, res),
			onShouldRetry: (err, _attempt, _opts, next) => this.shouldRetry(err, next),
			onError: (err) => {
				// Uppy shows this message (file card, informer): words, not the HTTP exchange.
				const res = (err as TusDetailedError).originalResponse;
				const p = res ? problemOf(res.getStatus(), res.getBody()) : { status: 0 };
				err.message = this.failureWords(p.status, p.code);
			},
		});
		this.wire();
	}

	/** The person submitted the details form: new uploads carry them; refused ones go again. */
	setDetails(details: Details): void {
		this.details = details;
		this.gate.passwordChanged();
		const again = [...this.credentialFailures];
		this.credentialFailures.clear();
		for (const id of again) if (this.fileOf(id)?.error) void this.uppy.retryUpload(id);
	}

	/** The link's state changed: rows on hold say so; a closed link stops everything. */
	linkState(state: WatchState): void {
		for (const id of this.list.ids()) {
			const status = this.list.get(id);
			if (state.kind === "waiting" && (status === "sending" || status === "queued"))
				this.list.set(id, "waiting");
			if (state.kind === "open" && status === "waiting") this.list.set(id, "sending");
			if (state.kind === "closed" && status !== "checking" && status !== "received")
				this.list.set(id, "failed", "The link closed before this file arrived.");
		}
		// While held, Uppy's bytes and time left stand still ("0s left"): its status bar
		// keeps the percentage only, and the list says why the file waits.
		this.uppy.getPlugin("Dashboard")?.setOptions({ hideProgressDetails: state.kind === "waiting" });
		if (state.kind === "closed") {
			this.uppy.pauseAll();
			const dashboard = this.uppy.getPlugin("Dashboard");
			if (dashboard) this.uppy.removePlugin(dashboard);
			forgetUploads(this.api.endpoint);
		}
	}

	private fileOf(id: string): File | undefined {
		return fileIn(this.uppy, id);
	}

	/** Before Uppy's restrictions: duplicates, the type rules Uppy cannot express, the tus metadata. */
	private admit(file: File, files: Record<string, File>): File | false {
		if (Object.hasOwn(files, file.id)) return false;
		if (typeRefusal({ name: file.name ?? "", type: file.type }, this.link.limits)) return false;
		const filetype = file.type || "application/octet-stream";
		return { ...file, meta: { ...file.meta, filename: file.name ?? "file", filetype } };
	}

	private async beforeRequest(req: HttpRequest, file: File): Promise<void> {
		this.acknowledged.sending(req, file.id);
		const method = req.getMethod();
		if (method !== "POST" && method !== "PATCH") return;
		if (this.watch.state.kind === "waiting") this.list.set(file.id, "waiting");
		await this.watch.whenOpen();
		if (method === "POST") {
			this.list.set(file.id, "queued");
			await this.gate.enter(req);
			const extra = this.extraMetadata();
			// Joined to tus-js-client's `filename,filetype` (a header list is comma-separated, as is Upload-Metadata).
			if (extra) req.setHeader("Upload-Metadata", extra);
		}
		const current = this.fileOf(file.id);
		if (!current || current.isPaused) throw new Error("paused or removed while waiting");
		this.list.set(file.id, "sending");
	}

	/** `name`, `email` and `password` for the creation request, as the link asks for them. */
	private extraMetadata(): string {
		const d = this.details;
		const pairs: string[] = [];
		if (this.link.requireUploaderName && d.name) pairs.push(`name ${b64(d.name)}`);
		if (this.link.requireUploaderEmail && d.email) pairs.push(`email ${b64(d.email)}`);
		if (this.link.passwordRequired && d.password) pairs.push(`password ${b64(d.password)}`);
		return pairs.join(",");
	}

	private afterResponse(req: HttpRequest, res: HttpResponse): void {
		const status = res.getStatus();
		const method = req.getMethod();
		const code = status >= 400 ? problemOf(status, res.getBody()).code : undefined;
		if (status >= 400) this.watch.sawProblem(status, code);
		if (method === "POST") this.gate.settle(req, outcomeOf(status, code));
		this.acknowledged.answered(req, res);
		this.receipts.capture(req, res);
	}

	private shouldRetry(err: TusDetailedError, next: (e: TusDetailedError) => boolean): boolean {
		const res = err.originalResponse;
		const status = res ? res.getStatus() : 0;
		const code = res && status >= 400 ? problemOf(status, res.getBody()).code : undefined;
		if (!res && err.originalRequest?.getMethod() === "POST")
			this.gate.settle(err.originalRequest, "unknown");
		if (this.watch.state.kind === "closed") return false;
		// Paused / closing link, or another PATCH of this upload still running: wait and go on.
		if (status === 423) return next(err);
		if (status === 409) return code === "upload-offset-mismatch" ? next(err) : false;
		if (status >= 400 && status < 500) return false;
		return next(err);
	}

	private failureWords(status: number, code: string | undefined): string {
		if (this.watch.state.kind === "closed") return "The link closed before this file arrived.";
		return fileProblemWords(code, status, this.link);
	}

	private wire(): void {
		const { uppy, list } = this;
		uppy.on("file-added", (file) => list.add(file.id, file.name ?? "file", file.size ?? 0));
		uppy.on("file-removed", (file) => list.remove(file.id));
		uppy.on("upload-progress", (file, progress) => {
			if (!file) return;
			list.progress(file.id, progress.bytesUploaded, progress.bytesTotal ?? file.size ?? 0);
		});
		uppy.on("upload-pause", (file, paused) => {
			if (file) list.set(file.id, paused ? "paused" : "sending");
		});
		uppy.on("pause-all", () => {
			for (const f of uppy.getFiles()) if (f.isPaused) list.set(f.id, "paused");
		});
		uppy.on("resume-all", () => {
			for (const f of uppy.getFiles()) if (list.get(f.id) === "paused") list.set(f.id, "sending");
		});
		uppy.on("upload-retry", (file) => {
			if (file) list.set(file.id, "queued");
		});
		uppy.on("retry-all", (files) => {
			for (const f of files) list.set(f.id, "queued");
		});
		uppy.on("upload-success", (file, response) => {
			if (file) this.receipts.follow(file.id, response?.uploadURL);
		});
		uppy.on("upload-error", (file, _error, response) => {
			if (!file) return;
			const status = response?.status ?? 0;
			const text = (response?.body as TusBody | undefined)?.xhr?.responseText;
			const p = problemOf(status, status >= 400 ? text : "");
			if (p.code && CREDENTIAL_CODES.has(p.code)) {
				this.credentialFailures.add(file.id);
				this.hooks.onCredentials(p.code, p.retryAfter);
			} else if (p.code === "uploader-details-required") {
				this.credentialFailures.add(file.id);
				this.hooks.onCredentials(p.code, undefined);
			}
			list.set(file.id, "failed", this.failureWords(p.status, p.code));
		});
		uppy.on("restriction-failed", (file, error) => {
			const name = file?.name ?? "A file";
			const reason = file
				? (fileRefusal(
						{ name: file.name ?? "", type: file.type, size: file.size },
						this.link.limits,
					) ??
					(/duplicate/i.test(error.message)
						? "it is in the list already."
						: quotaRefusal(
								this.restrictions,
								uppy.getFiles().length + 1,
								uppy.getFiles().reduce((n, f) => n + (f.size ?? 0), file.size ?? 0),
							)))
				: error.message;
			this.hooks.onRefused(`“${name}” was not added: ${reason}`);
		});
	}
}
