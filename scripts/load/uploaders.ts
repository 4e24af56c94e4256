// The uploaders' side of the load: each uploader sends its planned files with
// the typed client (src/client): finalized (some resumed after part 1),
// aborted part-way, or completed and left for the link's late-finalize policy.
// A share of the uploaders speaks tus instead (tus-js-client, see tus.ts).
import {
	type FileMeta,
	LinkGoneError,
	ReceiveLinkError,
	UploaderClient,
} from "../../src/client/index.ts";
import type { FileSpec, UploaderPlan } from "./plan.ts";
import { fileBytes, sha256 } from "./random.ts";
import { describe, type FileRecord, type LiveLink, type RunState } from "./state.ts";
import { runTusFile } from "./tus.ts";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs one uploader's files in order; `fire` issues a link's terminal command. */
export async function runUploader(
	run: RunState,
	plan: UploaderPlan,
	fire: (L: LiveLink) => Promise<void>,
	fires: Promise<void>[],
): Promise<void> {
	const L = run.links[plan.link];
	if (!L) throw new Error(`no link #${plan.link}`);
	for (const spec of plan.files) {
		const rec = await runFile(run, plan, L, spec);
		if (rec.outcome === "not started") continue;
		judgeOutcome(run, L, rec);
		run.done[L.index] = (run.done[L.index] ?? 0) + 1;
		if (L.action !== "none" && !L.fired && (run.done[L.index] ?? 0) >= L.threshold) {
			L.fired = true;
			fires.push(sleep(L.delayMs).then(() => fire(L)));
		}
	}
}

async function runFile(
	run: RunState,
	plan: UploaderPlan,
	L: LiveLink,
	spec: FileSpec,
): Promise<FileRecord> {
	const u = plan.u;
	const rec: FileRecord = {
		protocol: plan.protocol,
		u,
		f: spec.f,
		link: L.index,
		size: spec.size,
		action: spec.action,
		outcome: null,
		uploadId: null,
		mode: null,
		detail: "",
	};
	run.records.push(rec);
	if (run.stopped) {
		rec.outcome = "not started";
		return rec;
	}
	const data = fileBytes(run.o.seed, u, spec.f, spec.size);
	rec.sha256 = sha256(data);
	if (plan.protocol === "tus") {
		await runTusFile(run, L, spec, rec, data);
		return rec;
	}
	const blob = new Blob([data]);
	const client = new UploaderClient(L.uploadUrl, {
		baseUrl: run.baseUrl,
		fetch: run.fetchFor(true),
		concurrency: 2,
		maxWaitMs: run.o["max-wait"] * 1000,
		pollMs: 500,
		sleep: (ms) => run.sleep(ms),
	});
	const meta: FileMeta = {
		name: spec.name,
		type: spec.type,
		...(spec.declareSha ? { sha256: rec.sha256 } : {}),
		...(spec.uploaderName ? { uploaderName: spec.uploaderName } : {}),
	};
	try {
		const { session, upload } = await client.init(spec.size, meta);
		rec.uploadId = session.uploadId;
		rec.mode = upload.mode;
		run.byUploadId.set(session.uploadId, rec);
		const all = Array.from({ length: upload.partCount }, (_, i) => i + 1);
		const putParts = async (numbers: number[]) => {
			for (const n of numbers) await client.putPart(session, upload, blob, n);
		};
		if (spec.action === "finalize") {
			// Some multipart uploads are "interrupted" after part 1; resume() sends the rest.
			if (upload.mode === "multipart" && spec.interrupt && upload.partCount > 1) {
				await putParts([1]);
				rec.detail = "resumed";
			}
			const result = await client.resume(session, blob);
			rec.command = result.command.status;
			rec.result = result.command.result;
			rec.outcome = result.command.status === "succeeded" ? "finalized" : "rejected";
			if (rec.outcome === "rejected") rec.detail = `finalize ${result.command.result}`;
		} else if (spec.action === "abort") {
			if (upload.mode === "multipart") {
				const k = Math.max(1, Math.floor(upload.partCount / 2));
				await putParts(all.slice(0, k));
				rec.detail = `after ${k}/${upload.partCount} parts`;
			} else if (spec.abortAfterWrite) {
				await client.putSingle(session, blob);
				rec.detail = "after the PUT";
			}
			await client.abort(session);
			rec.outcome = "aborted";
		} else {
			if (upload.mode === "multipart") {
				await putParts(all);
				await client.complete(session);
			} else {
				await client.putSingle(session, blob);
			}
			rec.outcome = "completed";
		}
	} catch (error) {
		if (run.cap.signal.aborted && !(error instanceof ReceiveLinkError)) {
			rec.outcome = "cut off";
		} else if (error instanceof LinkGoneError) {
			rec.outcome = "gone";
			rec.detail = error.code;
		} else if (error instanceof ReceiveLinkError && error.code === "quota-exceeded") {
			rec.outcome = "rejected";
			rec.detail = "quota-exceeded";
		} else {
			rec.outcome = "error";
			rec.detail =
				error instanceof ReceiveLinkError ? `${error.status} ${error.code}` : errorText(error);
		}
	}
	return rec;
}

function errorText(error: unknown): string {
	const cause =
		error instanceof Error
			? (error.cause as { code?: string; message?: string } | undefined)
			: undefined;
	return `${error}${cause ? ` (${cause.code ?? cause.message})` : ""}`;
}

/** Client-side outcomes that the link's plan cannot explain are violations. */
function judgeOutcome(run: RunState, L: LiveLink, rec: FileRecord): void {
	const who = `${rec.protocol === "tus" ? "tus " : ""}upload u${rec.u}/f${rec.f} ${rec.uploadId ?? "(no id)"} on ${describe(L)}`;
	if (rec.outcome === "error") run.violation(`${who}: unexpected error ${rec.detail}`);
	if (rec.outcome === "gone" && L.action === "none")
		run.violation(`${who}: 410 ${rec.detail} on a live link`);
	if (rec.outcome === "rejected" && rec.detail === "quota-exceeded" && !L.maxFiles) {
		run.violation(`${who}: quota-exceeded on a link without quota`);
	}
	if (rec.outcome === "rejected" && rec.detail !== "quota-exceeded" && L.action === "none") {
		run.violation(`${who}: ${rec.detail} on a live link`);
	}
}
