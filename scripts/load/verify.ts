// After the load: wait for every command to settle, judge them, audit every
// link (sweeping first), and check end states, counters, upload states, the
// files lists and a sample of downloads (sha256) against what was uploaded.
import { readFileSync } from "node:fs";
import {
	type CommandList,
	FINAL_COMMAND_STATUSES,
	type FileView,
	type OwnerClient,
	type PageOptions,
	UploaderClient,
} from "../../src/client/index.ts";
import { type Answer, answer, expectStatus } from "./answer.ts";
import { rngOf, sha256 } from "./random.ts";
import { describe, type FileRecord, type LiveLink, type RunState } from "./state.ts";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const unsettled = (status: string) =>
	!FINAL_COMMAND_STATUSES.includes(status) && status !== "dead_lettered";

async function discoverCommands(run: RunState, owner: OwnerClient): Promise<void> {
	for (const L of run.links) {
		if (L.gone) continue;
		let cursor: string | null = null;
		for (let page = 0; page < 50; page++) {
			const res: Answer<CommandList> = await answer(
				owner.listCommands(L.id, { limit: 100, cursor }),
			);
			if (res.status === 410 && L.action.includes("delete")) {
				L.gone = true;
				break;
			}
			if (!expectStatus(run, "GET commands", res, [200], L) || !res.value) break;
			for (const c of res.value.items) run.trackCommand(c, "list");
			cursor = res.value.nextCursor;
			if (!cursor) break;
		}
	}
}

/** Polls until no command is left unsettled, or the quiesce limit passes (violations). */
export async function quiesce(run: RunState, owner: OwnerClient): Promise<boolean> {
	const deadline = Date.now() + run.o.quiesce * 1000;
	for (;;) {
		await discoverCommands(run, owner);
		const waiting = [...run.commands.values()].filter((c) => unsettled(c.status));
		await Promise.all(
			waiting.map(async (c) => {
				const res = await answer(owner.getCommand(c.id));
				if (res.value) run.trackCommand(res.value, "poll");
				else
					expectStatus(
						run,
						`GET command ${c.id}`,
						res,
						[200],
						c.linkIndex === undefined ? undefined : run.links[c.linkIndex],
					);
			}),
		);
		const still = [...run.commands.values()].filter((c) => unsettled(c.status));
		if (still.length === 0) return true;
		if (Date.now() > deadline) {
			for (const c of still) {
				run.violation(
					`command ${c.kind} ${c.id} on link #${c.linkIndex} still ${c.status} after ${run.o.quiesce} s (attempts ${c.attempts}, error ${c.error})`,
				);
			}
			return false;
		}
		await sleep(500);
	}
}

export function judgeCommands(run: RunState): void {
	for (const c of run.commands.values()) {
		const L = c.linkIndex === undefined ? undefined : run.links[c.linkIndex];
		if (c.status === "dead_lettered") {
			run.violation(`command ${c.kind} ${c.id} on ${describe(L)} dead_lettered: ${c.error}`);
		}
		if ((c.kind === "revoke" || c.kind === "delete") && c.status !== "succeeded") {
			run.violation(`${c.kind} ${c.id} on ${describe(L)} ended ${c.status} ${c.result}`);
		}
		if (c.kind === "finalize" && c.status === "rejected" && L?.action === "none") {
			run.violation(`finalize ${c.id} on ${describe(L)} rejected ${c.result}`);
		}
		if (c.attempts > 0)
			run.notes.push(
				`command ${c.kind} ${c.id} needed ${c.attempts + 1} drains (${c.error ?? "no error kept"})`,
			);
	}
}

export async function audit(run: RunState, admin: OwnerClient): Promise<void> {
	for (const L of run.links) {
		const res = await answer(admin.audit(L.id, { sweep: true }));
		if (!expectStatus(run, "audit", res, [200], L) || !res.value) continue;
		if (!res.value.settled) run.violation(`audit: ${describe(L)} not settled`);
		for (const v of res.value.violations) run.violation(`audit ${describe(L)} ${L.id}: ${v}`);
	}
}

/** Every page of a list, or the status of the first page that failed. */
async function listAll<T>(
	list: (page: PageOptions) => Promise<{ items: T[]; nextCursor: string | null }>,
): Promise<{ status: number; items: T[] }> {
	const items: T[] = [];
	let cursor: string | null = null;
	for (let page = 0; page < 100; page++) {
		const res: Answer<{ items: T[]; nextCursor: string | null }> = await answer(
			list({ limit: 100, cursor }),
		);
		if (!res.value) return { status: res.status, items };
		items.push(...res.value.items);
		cursor = res.value.nextCursor;
		if (!cursor) break;
	}
	return { status: 200, items };
}

interface Candidate {
	L: LiveLink;
	file: FileView;
	rec: FileRecord;
}

export interface Checks {
	accepted: number;
	acceptedFiles: number;
	downloads: { checked: number; ok: number; multipart: number; tus: number };
}

const EXPECTED = {
	none: "active",
	revoke: "revoked",
	delete: "deleted",
	"revoke+delete": "deleted",
} as const;

/** The public answer of the link's upload URL: its status and problem code. */
async function publicInfo(run: RunState, L: LiveLink): Promise<{ status: number; code: string }> {
	const client = new UploaderClient(L.uploadUrl, {
		baseUrl: run.baseUrl,
		fetch: run.fetchFor(false),
		maxWaitMs: 0,
	});
	const res = await answer(client.info());
	return { status: res.status, code: res.code };
}

/** End states, files, counters, upload states and downloads. */
export async function checkLinks(run: RunState, owner: OwnerClient): Promise<Checks> {
	let accepted = 0;
	let acceptedFiles = 0;
	const candidates: Candidate[] = [];
	for (const L of run.links) {
		const want = EXPECTED[L.action];
		const read = await answer(owner.getLink(L.id));
		const pub = await publicInfo(run, L);
		if (want === "deleted") {
			L.finalState = read.status === 410 ? "deleted" : read.value?.link.state;
			if (read.status !== 410 || read.code !== "link-deleted") {
				run.violation(
					`${describe(L)}: GET link answered ${read.status} ${read.code || read.value?.link.state}, expected 410 link-deleted`,
				);
			}
			if (pub.status !== 410 || pub.code !== "link-deleted") {
				run.violation(
					`${describe(L)}: capability URL answered ${pub.status} ${pub.code}, expected 410 link-deleted`,
				);
			}
			const files = await answer(owner.listFiles(L.id, { limit: 100 }));
			if (files.status !== 410)
				run.violation(`${describe(L)}: files of a deleted link answered ${files.status}`);
			continue;
		}
		if (!expectStatus(run, "GET link (final)", read, [200], L) || !read.value) continue;
		const link = read.value.link;
		L.finalState = link.state;
		L.epoch = link.epoch;
		if (link.state !== want)
			run.violation(`${describe(L)}: final state ${link.state}, expected ${want}`);
		const pubWant = want === "active" ? 200 : 410;
		if (pub.status !== pubWant)
			run.violation(`${describe(L)}: capability URL answered ${pub.status}, expected ${pubWant}`);

		const files = await listAll((p) => owner.listFiles(L.id, p));
		if (files.status !== 200) {
			run.violation(`${describe(L)}: files list answered ${files.status}`);
			continue;
		}
		const uploads = await listAll((p) => owner.listUploads(L.id, p));
		if (uploads.status !== 200)
			run.violation(`${describe(L)}: uploads list answered ${uploads.status}`);
		const stateOf = new Map(uploads.items.map((x) => [x.id, x.state]));
		const sum = files.items.reduce((n, x) => n + x.size, 0);
		L.files = files.items.length;
		L.bytes = sum;
		accepted += sum;
		acceptedFiles += files.items.length;
		if (link.counters.files !== files.items.length || link.counters.bytes !== sum) {
			run.violation(
				`${describe(L)}: counters say ${link.counters.files} files / ${link.counters.bytes} B, files list has ${files.items.length} / ${sum} B`,
			);
		}
		const listed = new Set(files.items.map((x) => x.uploadId));
		for (const x of uploads.items)
			if (x.state === "finalized" && !listed.has(x.id))
				run.violation(`${describe(L)}: finalized upload ${x.id} missing from the files list`);
		for (const file of files.items) {
			const rec = run.byUploadId.get(file.uploadId);
			if (!rec) {
				run.violation(`${describe(L)}: file ${file.id} for unknown upload ${file.uploadId}`);
				continue;
			}
			if (file.size !== rec.size)
				run.violation(`${describe(L)}: file ${file.id} size ${file.size} != uploaded ${rec.size}`);
			if (file.sha256 && file.sha256 !== rec.sha256)
				run.violation(
					`${describe(L)}: file ${file.id} sha256 ${file.sha256} != uploaded ${rec.sha256}`,
				);
			candidates.push({ L, file, rec });
		}
		checkUploadStates(run, L, stateOf, listed);
	}
	const downloads = await verifyDownloads(run, owner, candidates);
	return { accepted, acceptedFiles, downloads };
}

/** What each of our uploads should have become on this link. */
function checkUploadStates(
	run: RunState,
	L: LiveLink,
	stateOf: Map<string, string>,
	listed: Set<string>,
): void {
	for (const rec of run.records) {
		if (rec.link !== L.index || !rec.uploadId) continue;
		const state = stateOf.get(rec.uploadId);
		const who = `upload u${rec.u}/f${rec.f} ${rec.uploadId} on ${describe(L)}`;
		let want: string | null = null;
		if (rec.outcome === "finalized") want = "finalized";
		else if (rec.outcome === "aborted") want = "aborted";
		else if (rec.outcome === "completed") {
			want =
				L.action === "none" ? "completed" : L.lateFinalize === "recover" ? "finalized" : "rejected";
		}
		if (want && state !== want)
			run.violation(`${who}: client saw ${rec.outcome}, server state ${state}, expected ${want}`);
		if (state === "finalized" && !listed.has(rec.uploadId))
			run.violation(`${who}: finalized but not listed`);
		rec.serverState = state;
	}
}

async function verifyDownloads(
	run: RunState,
	owner: OwnerClient,
	candidates: Candidate[],
): Promise<Checks["downloads"]> {
	const r = rngOf(run.o.seed, "downloads");
	// Every tus file is checked (there are few), then native ones: every 3rd a multipart one.
	const tus = candidates.filter((c) => c.rec.protocol === "tus");
	const native = candidates.filter((c) => c.rec.protocol !== "tus");
	const large = native.filter((c) => c.rec.mode === "multipart");
	const small = native.filter((c) => c.rec.mode !== "multipart");
	const chosen: Candidate[] = [...tus];
	const limit = Math.min(run.o.downloads + tus.length, candidates.length);
	while (chosen.length < limit && (large.length || small.length)) {
		const from = large.length && (chosen.length % 3 === 0 || !small.length) ? large : small;
		chosen.push(...from.splice(Math.floor(r() * from.length), 1));
	}
	let ok = 0;
	for (const { L, file, rec } of chosen) {
		const res = await owner.download(file.downloadUrl);
		const body = Buffer.from(await res.arrayBuffer());
		if (res.status !== 200) {
			run.violation(`download ${file.id} on ${describe(L)} answered ${res.status}`);
			continue;
		}
		const digest = sha256(body);
		if (body.length !== rec.size || digest !== rec.sha256) {
			run.violation(
				`download ${file.id} (upload ${rec.uploadId}) on ${describe(L)}: ${body.length} B sha256 ${digest}, uploaded ${rec.size} B sha256 ${rec.sha256}`,
			);
		} else ok++;
	}
	return {
		checked: chosen.length,
		ok,
		multipart: chosen.filter((c) => c.rec.mode === "multipart").length,
		tus: chosen.filter((c) => c.rec.protocol === "tus").length,
	};
}

/** Errors the Worker logged (queue consumer, alarms) do not show up as HTTP statuses. */
export function noteServerErrors(run: RunState, logFile: string): void {
	let log = "";
	try {
		log = readFileSync(logFile, "utf8");
	} catch {
		return;
	}
	const lines = log
		// biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colours
		.replace(/\x1b\[[0-9;]*m/g, "")
		.split("\n")
		.filter((l) => /\[ERROR\]|Uncaught|wrangler:error/.test(l));
	if (lines.length === 0) return;
	run.notes.push(
		`wrangler logged ${lines.length} error line(s); first: ${lines[0]?.trim().slice(0, 300)}`,
	);
	for (const l of lines.slice(1, 3)) run.notes.push(`  ... ${l.trim().slice(0, 300)}`);
}
