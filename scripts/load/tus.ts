// The tus uploaders of the load: the real, unmodified tus-js-client (its Node
// `Upload`) on /r/<linkId>/tus/ with the link's secret as `Link-Secret`. The
// last answer names the finalize command the server queued itself
// (Receive-Link-Command, -Status, -Retry-Token); it is polled like a native
// finalize. 423 (paused, closing, another PATCH) is waited out by
// tus-js-client's own retries; 410 stops the upload ("gone").
import {
	type DetailedError,
	type HttpRequest,
	type HttpResponse,
	Upload,
	type UploadOptions,
} from "tus-js-client";
import { UploaderClient } from "../../src/client/index.ts";
import type { FileSpec } from "./plan.ts";
import { type FileRecord, type LiveLink, type RunState, routeOf } from "./state.ts";

/** Short retry delays (ms) that add up to at least `maxWaitS` seconds: pauses last 0.2-1.5 s. */
export function retryDelays(maxWaitS: number): number[] {
	const steps = [100, 250, 500, 1000, 1500, 2000];
	const out: number[] = [];
	for (let total = 0; total < maxWaitS * 1000; ) {
		const d = steps[Math.min(out.length, steps.length - 1)] as number;
		out.push(d);
		total += d;
	}
	return out;
}

class CutOff extends Error {}

/** The problem code of an answer's JSON body, if any. */
function codeOf(res: HttpResponse | null | undefined): string {
	try {
		return String((JSON.parse(res?.getBody() ?? "") as { code?: unknown }).code ?? "");
	} catch {
		return "";
	}
}

const statusOf = (error: unknown) =>
	(error as Partial<DetailedError>)?.originalResponse?.getStatus() ?? 0;

interface Finalize {
	id: string;
	retryToken: string | null;
}

const commandOf = (res: HttpResponse): Finalize | null => {
	const id = res.getHeader("Receive-Link-Command");
	return id ? { id, retryToken: res.getHeader("Receive-Link-Retry-Token") ?? null } : null;
};

/**
 * One tus upload of `spec`: finalize (some interrupted mid-PATCH and resumed
 * from the upload URL by a new Upload), or abort (terminated part-way). tus
 * has no separate complete: a "complete" file is sent whole and the server
 * finalizes it, so it counts as a finalize here.
 */
export async function runTusFile(
	run: RunState,
	L: LiveLink,
	spec: FileSpec,
	rec: FileRecord,
	data: Buffer,
): Promise<void> {
	const tus = { chunk: spec.tusChunk, waited423: 0, urls: [] as string[] };
	rec.tus = tus;
	rec.mode = spec.size === 0 ? "single" : "multipart";
	const started = new Map<HttpRequest, number>();
	let current: Upload | null = null;
	const seeUrl = () => {
		const url = current?.url;
		if (!url || tus.urls.includes(url)) return;
		if (tus.urls.length > 0 && !resuming) run.tus.recreated++;
		tus.urls.push(url);
		const id = url.slice(url.lastIndexOf("/") + 1);
		rec.uploadId = id;
		run.byUploadId.set(id, rec);
	};
	let resuming = false;
	let sentBeforeCut = 0;
	const options: UploadOptions = {
		endpoint: `${run.baseUrl}/r/${encodeURIComponent(L.id)}/tus/`,
		headers: { "Link-Secret": L.secret },
		metadata: {
			filename: spec.name,
			filetype: spec.type,
			...(spec.uploaderName ? { name: spec.uploaderName } : {}),
		},
		...(spec.tusChunk ? { chunkSize: spec.tusChunk } : {}),
		uploadDataDuringCreation: spec.tusWithCreation && spec.action !== "abort",
		retryDelays: retryDelays(run.o["max-wait"]),
		storeFingerprintForResuming: false,
		onUploadUrlAvailable: seeUrl,
		onBeforeRequest: (req) => {
			started.set(req, Date.now());
		},
		onAfterResponse: (req, res) => observe(run, rec, spec, req, res, started, resuming),
		onShouldRetry: (err) => {
			if (run.stopped) return false;
			const status = statusOf(err);
			if (status === 0) {
				const req = err.originalRequest;
				const route = req ? routeOf(req.getMethod(), req.getURL()) : "tus (no request)";
				run.count("network error", route);
				run.violation(`network error: ${route}: ${err.causingError?.message ?? err.message}`);
				return true;
			}
			if (status === 409 && codeOf(err.originalResponse) === "quota-exceeded") return false;
			if (status === 423) tus.waited423++;
			return status >= 500 || status === 409 || status === 423;
		},
	};

	/** Runs an Upload until success (its last answer), error, or `stop` resolving first. */
	const attempt = (
		extra: Partial<UploadOptions>,
		stop?: (up: Upload) => Promise<"stopped">,
	): Promise<HttpResponse | "stopped"> =>
		new Promise((resolve, reject) => {
			const onCap = () => {
				void current?.abort(false);
				reject(new CutOff());
			};
			if (run.cap.signal.aborted) return onCap();
			run.cap.signal.addEventListener("abort", onCap, { once: true });
			const done = () => run.cap.signal.removeEventListener("abort", onCap);
			const up = new Upload(data, {
				...options,
				...extra,
				onSuccess: ({ lastResponse }) => {
					done();
					resolve(lastResponse);
				},
				onError: (error) => {
					done();
					reject(error);
				},
			});
			current = up;
			stop?.(up).then(
				(x) => {
					done();
					resolve(x);
				},
				(error) => {
					done();
					reject(error);
				},
			);
			up.start();
		});

	/** Resolves (after calling `act`) once `fraction` of the file has been sent, or the URL exists for small files. */
	const at = (fraction: number, act: (up: Upload) => Promise<void>) => {
		let fire: () => void = () => {};
		const reached = new Promise<void>((r) => {
			fire = r;
		});
		const threshold = Math.floor(spec.size * fraction);
		const extra: Partial<UploadOptions> = {
			onProgress: (sent) => {
				sentBeforeCut = sent;
				if (rec.mode === "multipart" && spec.size > 1024 * 1024 && sent >= threshold) fire();
			},
			onUploadUrlAvailable: () => {
				seeUrl();
				if (!(spec.size > 1024 * 1024)) fire();
			},
		};
		const stop = async (up: Upload): Promise<"stopped"> => {
			await reached;
			await act(up);
			return "stopped";
		};
		return { extra, stop };
	};

	try {
		let last: HttpResponse | "stopped";
		if (spec.action === "abort") {
			const { extra, stop } = at(0.5, (up) => up.abort(true));
			last = await attempt(extra, stop);
			if (last === "stopped") {
				rec.detail = spec.size > 1024 * 1024 ? "terminated mid-PATCH" : "terminated after creation";
				rec.outcome = "aborted";
				return;
			}
			// The PATCH that carried the last bytes was answered before the abort took
			// effect (its DELETE then meets a finalizing upload): the upload completed,
			// and the server rightly finalizes it. Follow its command like any other.
			rec.detail = "completed before the abort";
		} else if (spec.interrupt && spec.size > 1024 * 1024) {
			// The connection is cut mid-PATCH; a new Upload resumes from the upload URL.
			const { extra, stop } = at(0.4, (up) => up.abort(false));
			last = await attempt(extra, stop);
			if (last === "stopped") {
				const url = tus.urls.at(-1);
				await run.sleep(200);
				if (!url) {
					// Cut during a creation-with-upload: the client never learnt the URL, so it starts
					// over with a new upload, as any tus client does (the first session expires idle).
					rec.detail = "restarted (cut during creation)";
					last = await attempt({});
				}
			}
			if (last === "stopped") {
				const url = tus.urls.at(-1);
				if (!url) throw new Error("interrupted before the upload URL was known");
				resuming = true;
				rec.detail = "resumed";
				run.tus.resumes.push(`?/${sentBeforeCut}/${spec.size}`);
				last = await attempt({ uploadUrl: url });
				resuming = false;
			}
		} else last = await attempt({});
		if (last === "stopped") throw new Error("stopped without a success");
		let command = commandOf(last);
		if (!command) {
			// A HEAD saw the whole file (the PATCH that completed it got no 2xx):
			// an empty PATCH at the end asks the server to name the finalize.
			run.tus.noCommand++;
			command = await finalizeByEmptyPatch(run, L, rec, tus.urls.at(-1) ?? "", spec.size);
			if (!command) return;
		}
		const client = new UploaderClient(L.uploadUrl, {
			baseUrl: run.baseUrl,
			fetch: run.fetchFor(true),
			maxWaitMs: run.o["max-wait"] * 1000,
			pollMs: 500,
			sleep: (ms) => run.sleep(ms),
		});
		const result = await client.waitForCommand(command.id, command.retryToken);
		run.trackCommand(result, "tus");
		rec.command = result.status;
		rec.result = result.result;
		rec.outcome = result.status === "succeeded" ? "finalized" : "rejected";
		if (rec.outcome === "rejected") rec.detail = `finalize ${result.result}`;
	} catch (error) {
		if (error instanceof CutOff || (run.cap.signal.aborted && statusOf(error) === 0)) {
			rec.outcome = "cut off";
			return;
		}
		const res = (error as Partial<DetailedError>)?.originalResponse;
		const status = statusOf(error);
		const code = codeOf(res);
		if (status === 410) {
			rec.outcome = "gone";
			rec.detail = code || "410";
		} else if (status === 409 && code === "quota-exceeded") {
			rec.outcome = "rejected";
			rec.detail = "quota-exceeded";
		} else {
			rec.outcome = "error";
			rec.detail = status ? `${status} ${code}` : String(error);
		}
	}
}

/** The headers of one tus answer: counted by route; 5xx, 423 and offsets noted. */
function observe(
	run: RunState,
	rec: FileRecord,
	spec: FileSpec,
	req: HttpRequest,
	res: HttpResponse,
	started: Map<HttpRequest, number>,
	resuming: boolean,
): void {
	const method = req.getMethod();
	const route = routeOf(method, req.getURL());
	const status = res.getStatus();
	run.count(status, route);
	const t0 = started.get(req);
	started.delete(req);
	if (status >= 500)
		run.violation(`5xx at ${run.at()}: ${route} -> ${status} ${res.getBody()?.slice(0, 300)}`);
	const offset = res.getHeader("Upload-Offset");
	if (method === "HEAD" && resuming && status === 200) {
		const i = run.tus.resumes.length - 1;
		const r = run.tus.resumes[i];
		if (r?.startsWith("?/")) run.tus.resumes[i] = `${offset}${r.slice(1)}`;
	}
	const carries = method === "PATCH" || (method === "POST" && req.getHeader("Content-Type"));
	if (!carries || (status !== 204 && status !== 201)) return;
	const from = Number(req.getHeader("Upload-Offset") ?? 0);
	const end = Math.min(spec.size, from + (spec.tusChunk ?? spec.size));
	if (t0 !== undefined) run.tus.patches.push({ ms: Date.now() - t0, bytes: end - from, status });
	if (Number(offset) !== end)
		run.tus.offsetOdd.push(
			`${method} u${rec.u}/f${rec.f} at ${from} (size ${spec.size}, chunk ${spec.tusChunk ?? "unset"}) answered ${status} Upload-Offset ${offset}, expected ${end}`,
		);
}

/**
 * An empty PATCH at Upload-Offset = size: the server answers with the
 * finalize command it queued (or queues it now). 423 is waited out; 410
 * means the link went away after the upload completed (the link's
 * late-finalize policy decides, as for a native "completed").
 */
async function finalizeByEmptyPatch(
	run: RunState,
	L: LiveLink,
	rec: FileRecord,
	url: string,
	size: number,
): Promise<Finalize | null> {
	const doFetch = run.fetchFor(true);
	const deadline = Date.now() + run.o["max-wait"] * 1000;
	for (;;) {
		const res = await doFetch(url, {
			method: "PATCH",
			headers: {
				"Tus-Resumable": "1.0.0",
				"Link-Secret": L.secret,
				"Content-Type": "application/offset+octet-stream",
				"Upload-Offset": String(size),
			},
			body: new Uint8Array(0),
		});
		const body = await res.text();
		const id = res.headers.get("Receive-Link-Command");
		if (res.status === 204 && id)
			return { id, retryToken: res.headers.get("Receive-Link-Retry-Token") };
		if (res.status === 410) {
			rec.outcome = "completed";
			rec.detail = "whole file, finalize answered 410";
			return null;
		}
		if (res.status !== 423 || Date.now() > deadline) {
			rec.outcome = "error";
			rec.detail = `empty PATCH at the end answered ${res.status} ${body.slice(0, 100)}`;
			return null;
		}
		rec.tus && rec.tus.waited423++;
		await run.sleep(Math.min(1000, 1000 * Number(res.headers.get("Retry-After") ?? 1)));
	}
}
