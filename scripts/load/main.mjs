// The loopback load test: one owner, M links, N concurrent uploaders using the
// typed client, owner actions (pause/resume, settings, revoke, delete) fired
// while uploads are in flight; then quiesce, audit every link, check bytes and
// checksums, print a report. Exit 1 on any violation, 2 if the harness failed.
import { createCipheriv, createHash } from "node:crypto";
import { setMaxListeners } from "node:events";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { bytes, seconds, table } from "./report.mjs";
import { ensureDevVars, sleep, startServer } from "./server.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const MiB = 1024 * 1024;
const FINAL = new Set(["succeeded", "rejected", "cancelled"]);

const OPTIONS = {
	uploaders: { env: "LOAD_UPLOADERS", def: 32, help: "concurrent uploaders" },
	links: { env: "LOAD_LINKS", def: 8, help: "receive links" },
	files: { env: "LOAD_FILES", def: 3, help: "files per uploader" },
	duration: { env: "LOAD_DURATION", def: 120, help: "cap on the load phase, seconds" },
	seed: { env: "LOAD_SEED", def: null, help: "seed of the plan; printed, reuse it to reproduce" },
	port: { env: "LOAD_PORT", def: 8790, help: "first port to try for wrangler dev" },
	"multipart-fraction": { env: "LOAD_MULTIPART_FRACTION", def: 0.1, help: "share of large files" },
	"small-max": { env: "LOAD_SMALL_MAX", def: 65536, help: "largest small file, bytes" },
	"large-min-mib": { env: "LOAD_LARGE_MIN_MIB", def: 9, help: "smallest large file, MiB" },
	"large-max-mib": { env: "LOAD_LARGE_MAX_MIB", def: 17, help: "largest large file, MiB" },
	revoke: { env: "LOAD_REVOKE", def: 2, help: "links revoked mid-run" },
	delete: {
		env: "LOAD_DELETE",
		def: 2,
		help: "links deleted mid-run (every 2nd one revoked first)",
	},
	quiesce: { env: "LOAD_QUIESCE", def: 60, help: "max wait for commands to settle, seconds" },
	"max-wait": { env: "LOAD_MAX_WAIT", def: 45, help: "client maxWaitMs for 423/503, seconds" },
	downloads: { env: "LOAD_DOWNLOADS", def: 20, help: "files downloaded and checksummed" },
};

function usage() {
	const lines = ["usage: npm run load -- [options]", ""];
	for (const [name, o] of Object.entries(OPTIONS)) {
		lines.push(`  --${name.padEnd(20)} ${o.help} (env ${o.env}, default ${o.def ?? "random"})`);
	}
	lines.push(`  --${"no-snapshot".padEnd(20)} serve src/ live instead of a bundle built at start`);
	lines.push(`  --${"verbose".padEnd(20)} print every unexpected answer as it happens`);
	return lines.join("\n");
}

function parseOptions(argv) {
	const spec = { help: { type: "boolean", short: "h" }, verbose: { type: "boolean", short: "v" } };
	spec["no-snapshot"] = { type: "boolean" };
	for (const name of Object.keys(OPTIONS)) spec[name] = { type: "string" };
	const { values } = parseArgs({ args: argv, options: spec, strict: true });
	if (values.help) {
		console.log(usage());
		process.exit(0);
	}
	const o = {};
	for (const [name, def] of Object.entries(OPTIONS)) {
		const raw = values[name] ?? process.env[def.env];
		if (raw === undefined || raw === "") o[name] = def.def;
		else if (name === "seed") o[name] = String(raw);
		else {
			const n = Number(raw);
			if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: not a number: ${raw}`);
			o[name] = n;
		}
	}
	o.seed ??= String(Date.now() % 1_000_000_000);
	o.snapshot = !(values["no-snapshot"] || process.env.LOAD_SNAPSHOT === "0");
	o.verbose = Boolean(values.verbose);
	o.uploaders = Math.max(1, Math.floor(o.uploaders));
	o.links = Math.max(1, Math.floor(o.links));
	o.files = Math.max(1, Math.floor(o.files));
	return o;
}

// --- seeded randomness -------------------------------------------------------

function hash32(text) {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
	return h >>> 0;
}

/** mulberry32 seeded from the parts; one stream per purpose keeps plans reproducible. */
function rngOf(...parts) {
	let a = hash32(parts.join(":"));
	return () => {
		a = (a + 0x6d2b79f5) | 0;
		let t = Math.imul(a ^ (a >>> 15), 1 | a);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}
const int = (r, lo, hi) => lo + Math.floor(r() * (hi - lo + 1));
const pick = (r, list) => list[Math.floor(r() * list.length)];

/** Reproducible file content: AES-128-CTR keystream keyed by seed, uploader and file. */
function fileBytes(seed, u, f, size) {
	const key = createHash("sha256").update(`${seed}:${u}:${f}`).digest().subarray(0, 16);
	return createCipheriv("aes-128-ctr", key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

const sha256 = (data) => createHash("sha256").update(data).digest("hex");

// --- the plan ------------------------------------------------------------------

function makePlan(o) {
	const r = rngOf(o.seed, "plan");
	const nRevoke = Math.min(Math.floor(o.revoke), o.links);
	const nDelete = Math.min(Math.floor(o.delete), o.links - nRevoke);
	const uploaders = [];
	for (let u = 0; u < o.uploaders; u++) {
		const ru = rngOf(o.seed, "uploader", u);
		const files = [];
		for (let f = 0; f < o.files; f++) {
			const large = ru() < o["multipart-fraction"];
			const size = large
				? int(ru, Math.round(o["large-min-mib"] * MiB), Math.round(o["large-max-mib"] * MiB))
				: Math.max(
						1,
						Math.min(o["small-max"], Math.round(Math.exp(ru() * Math.log(o["small-max"])))),
					);
			const x = ru();
			const action = x < 0.7 ? "finalize" : x < 0.85 ? "abort" : "complete";
			const text = ru() < 0.3;
			files.push({
				f,
				size,
				action,
				declareSha: ru() < 0.5,
				interrupt: ru() < 0.4,
				abortAfterWrite: ru() < 0.5,
				name: `u${u}-f${f}.${text ? "txt" : "bin"}`,
				type: text ? "text/plain" : "application/octet-stream",
				uploaderName: ru() < 0.3 ? `Uploader ${u}` : undefined,
			});
		}
		uploaders.push({ u, link: u % o.links, files });
	}
	const links = [];
	for (let i = 0; i < o.links; i++) {
		const planned = uploaders.filter((x) => x.link === i).reduce((n, x) => n + x.files.length, 0);
		const action =
			i < nRevoke
				? "revoke"
				: i < nRevoke + nDelete
					? (i - nRevoke) % 2 === 0
						? "delete"
						: "revoke+delete"
					: "none";
		links.push({
			index: i,
			action,
			lateFinalize: i % 3 === 1 ? "reject" : "recover",
			maxFiles: i % 4 === 2 ? Math.max(1, Math.floor(planned / 2)) : null,
			planned,
			// Fired once this many of the link's files are done, so others are in flight.
			threshold: Math.max(1, Math.round(planned * (0.15 + 0.35 * r()))),
			delayMs: int(r, 0, 300),
		});
	}
	return { links, uploaders };
}

// --- HTTP ----------------------------------------------------------------------

/** METHOD + path with ids replaced, for the per-route counts. */
function routeOf(method, url) {
	const path = new URL(url).pathname
		.replace(/^\/r\/[^/]+/, "/r/:linkId")
		.replace(/\/uploads\/[^/]+/, "/uploads/:id")
		.replace(/\/parts\/\d+/, "/parts/:n")
		.replace(/^\/api\/(links|commands|files)\/[^/]+/, "/api/$1/:id")
		.replace(/^\/api\/admin\/links\/[^/]+/, "/api/admin/links/:id");
	return `${method} ${path}`;
}

class Run {
	constructor(o, plan, client) {
		this.o = o;
		this.plan = plan;
		this.client = client;
		this.t0 = Date.now();
		this.cap = new AbortController();
		setMaxListeners(0, this.cap.signal);
		this.stopped = false;
		this.byStatus = new Map();
		this.byRoute = new Map();
		this.violations = [];
		this.notes = [];
		this.commands = new Map();
		this.records = [];
		this.byUploadId = new Map();
		this.done = plan.links.map(() => 0);
		this.terminalFires = [];
	}

	violation(text) {
		this.violations.push(text);
		if (this.o.verbose) console.log(`  ! ${text}`);
	}

	at() {
		return `${((Date.now() - this.t0) / 1000).toFixed(1)}s`;
	}

	count(status, route) {
		this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
		const m = this.byRoute.get(route) ?? new Map();
		m.set(status, (m.get(status) ?? 0) + 1);
		this.byRoute.set(route, m);
	}

	trackCommand(command, via) {
		const known = this.commands.get(command.id);
		const link = (this.links ?? []).find((l) => l.id === command.linkId);
		this.commands.set(command.id, {
			...known,
			...command,
			linkIndex: link?.index,
			via: known?.via ?? via,
		});
	}

	/** The fetch given to the client and used for every call: counts answers, flags 5xx. */
	makeFetch(uploader) {
		return async (url, init = {}) => {
			const method = (init.method ?? "GET").toUpperCase();
			const route = routeOf(method, url);
			const signals = [AbortSignal.timeout(uploader ? 120_000 : 30_000)];
			if (uploader) signals.push(this.cap.signal);
			if (init.signal) signals.push(init.signal);
			let res;
			try {
				res = await fetch(url, { ...init, signal: AbortSignal.any(signals) });
			} catch (error) {
				if (!(uploader && this.cap.signal.aborted)) {
					this.count("network error", route);
					this.violation(`network error: ${route}: ${error?.cause?.message ?? error?.message}`);
				}
				throw error;
			}
			this.count(res.status, route);
			if (res.status >= 500) {
				const body = await res
					.clone()
					.text()
					.catch(() => "");
				this.violation(`5xx at ${this.at()}: ${route} -> ${res.status} ${body.slice(0, 300)}`);
			}
			if (res.status === 202) {
				try {
					const body = await res.clone().json();
					if (body?.command?.id) this.trackCommand(body.command, route);
				} catch {
					// not JSON: the 202 check elsewhere reports it
				}
			}
			return res;
		};
	}

	async api(method, path, { body, headers = {}, auth = this.ownerKey } = {}) {
		const h = { ...headers };
		if (auth) h.Authorization = `Bearer ${auth}`;
		if (body !== undefined) h["Content-Type"] = "application/json";
		const res = await this.ownerFetch(`${this.baseUrl}${path}`, {
			method,
			headers: h,
			...(body !== undefined ? { body: JSON.stringify(body) } : {}),
		});
		const text = await res.text();
		let json = null;
		try {
			json = text ? JSON.parse(text) : null;
		} catch {
			json = { raw: text.slice(0, 200) };
		}
		return { status: res.status, json, headers: res.headers };
	}

	/** Uploader sleep that ends early (rejects) when the duration cap is hit. */
	sleep(ms) {
		const signal = this.cap.signal;
		return new Promise((resolve, reject) => {
			if (signal.aborted) return reject(signal.reason);
			const onAbort = () => {
				clearTimeout(timer);
				reject(signal.reason);
			};
			const timer = setTimeout(() => {
				signal.removeEventListener("abort", onAbort);
				resolve();
			}, ms);
			signal.addEventListener("abort", onAbort, { once: true });
		});
	}
}

function describe(L) {
	if (!L) return "unknown link";
	return `link #${L.index} (${L.action}, ${L.lateFinalize}${L.maxFiles ? `, maxFiles ${L.maxFiles}` : ""})`;
}

function expectStatus(run, what, res, allowed, L) {
	if (allowed.includes(res.status)) return true;
	run.violation(
		`${what} on ${L ? describe(L) : "-"} answered ${res.status} ${res.json?.code ?? ""} ${res.json?.detail ?? ""}`.trim(),
	);
	return false;
}

// --- setup -----------------------------------------------------------------------

async function setup(run, vars) {
	const createOwner = () =>
		run.api("POST", "/api/admin/owners", {
			body: { name: "Load test owner" },
			auth: vars.ADMIN_TOKEN,
		});
	let owner = await createOwner();
	for (let i = 0; i < 2 && owner.status >= 500; i++) {
		await sleep(500);
		owner = await createOwner();
	}
	if (owner.status !== 201)
		throw new Error(`create owner: ${owner.status} ${JSON.stringify(owner.json)}`);
	run.ownerKey = owner.json.apiKey;
	run.links = [];
	for (const L of run.plan.links) {
		const settings = {
			title: `Load link ${L.index}`,
			lateFinalize: L.lateFinalize,
			...(L.maxFiles ? { maxFiles: L.maxFiles } : {}),
		};
		// A 5xx is a violation (counted by the fetch wrapper); retry so the run goes on.
		let res = await run.api("POST", "/api/links", { body: settings });
		for (let i = 0; i < 2 && res.status >= 500; i++) {
			await sleep(500);
			res = await run.api("POST", "/api/links", { body: settings });
		}
		if (res.status !== 201)
			throw new Error(`create link: ${res.status} ${JSON.stringify(res.json)}`);
		// uploadUrl is <origin>/r/<linkId>#<secret>: the id in the path, the secret
		// (sent as Link-Secret) only in the fragment.
		const { linkId, secret } = run.client.parseUploadUrl(res.json.uploadUrl);
		if (linkId !== res.json.link.id)
			run.violation(`uploadUrl names link ${linkId}, not the created ${res.json.link.id}`);
		run.links.push({ ...L, id: res.json.link.id, uploadUrl: res.json.uploadUrl, secret });
	}
}

// --- uploaders -------------------------------------------------------------------

function problemOf(status, body) {
	return body && typeof body === "object" && body.code
		? body
		: { type: "about:blank", title: "", status, detail: JSON.stringify(body), code: "unknown" };
}

/**
 * One uploader request outside the client (partial uploads): waits out 423 like
 * the client. `base` is { url: <origin>/r/<linkId>, secret } (sent as Link-Secret).
 */
async function uploaderSend(run, base, method, path, session, body) {
	const started = Date.now();
	for (;;) {
		const res = await run.uploaderFetch(`${base.url}${path}`, {
			method,
			headers: { "Link-Secret": base.secret, "Upload-Token": session.uploadToken },
			...(body !== undefined ? { body } : {}),
		});
		if (res.ok) return res.status === 204 ? null : await res.json();
		const p = problemOf(res.status, await res.json().catch(() => null));
		if (res.status === 410) throw new run.client.LinkGoneError(p);
		const waitable = res.status === 423 || (res.status === 503 && p.retryable);
		if (!waitable || Date.now() - started > run.o["max-wait"] * 1000) {
			throw new run.client.ReceiveLinkError(p);
		}
		const s = Number(res.headers.get("retry-after") ?? p.retryAfter ?? 1);
		await run.sleep(1000 * (Number.isFinite(s) && s > 0 ? s : 1));
	}
}

async function putParts(run, base, session, upload, blob, numbers) {
	const partSize = upload.partSize ?? blob.size;
	for (const n of numbers) {
		const start = (n - 1) * partSize;
		await uploaderSend(
			run,
			base,
			"PUT",
			`/uploads/${session.uploadId}/parts/${n}`,
			session,
			blob.slice(start, Math.min(start + partSize, blob.size)),
		);
	}
}

function noteDone(run, L) {
	run.done[L.index] += 1;
	if (L.action !== "none" && !L.fired && run.done[L.index] >= L.threshold) {
		L.fired = true;
		const p = sleep(L.delayMs).then(() => fireTerminal(run, L));
		run.terminalFires.push(p);
	}
}

async function runFile(run, u, L, spec) {
	const rec = {
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
		return;
	}
	const data = fileBytes(run.o.seed, u, spec.f, spec.size);
	rec.sha256 = sha256(data);
	const blob = new Blob([data]);
	const { UploaderClient, LinkGoneError, ReceiveLinkError } = run.client;
	const client = new UploaderClient(L.uploadUrl, {
		baseUrl: run.baseUrl,
		fetch: run.uploaderFetch,
		concurrency: 2,
		maxWaitMs: run.o["max-wait"] * 1000,
		pollMs: 500,
		sleep: (ms) => run.sleep(ms),
	});
	const base = { url: `${run.baseUrl}/r/${L.id}`, secret: L.secret };
	const meta = {
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
		if (spec.action === "finalize") {
			// Some multipart uploads are "interrupted" after part 1; resume() sends the rest.
			if (upload.mode === "multipart" && spec.interrupt && upload.partCount > 1) {
				await putParts(run, base, session, upload, blob, [1]);
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
				await putParts(run, base, session, upload, blob, all.slice(0, k));
				rec.detail = `after ${k}/${upload.partCount} parts`;
			} else if (spec.abortAfterWrite) {
				await uploaderSend(run, base, "PUT", `/uploads/${session.uploadId}`, session, blob);
				rec.detail = "after the PUT";
			}
			await client.abort(session);
			rec.outcome = "aborted";
		} else {
			if (upload.mode === "multipart") {
				await putParts(run, base, session, upload, blob, all);
				await uploaderSend(run, base, "POST", `/uploads/${session.uploadId}/complete`, session);
			} else {
				await uploaderSend(run, base, "PUT", `/uploads/${session.uploadId}`, session, blob);
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
				error instanceof ReceiveLinkError
					? `${error.status} ${error.code}`
					: `${error}${error?.cause ? ` (${error.cause.code ?? error.cause.message})` : ""}`;
		}
	}
	judgeOutcome(run, L, rec);
	noteDone(run, L);
}

/** Client-side outcomes that the link's plan cannot explain are violations. */
function judgeOutcome(run, L, rec) {
	const who = `upload u${rec.u}/f${rec.f} ${rec.uploadId ?? "(no id)"} on ${describe(L)}`;
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

async function runUploader(run, plan) {
	const L = run.links[plan.link];
	for (const spec of plan.files) await runFile(run, plan.u, L, spec);
}

// --- owner actions ---------------------------------------------------------------

async function fireTerminal(run, L) {
	L.fired = true;
	L.firedAt = run.at();
	try {
		if (L.action === "revoke" || L.action === "revoke+delete") {
			const key = `load-${run.o.seed}-revoke-${L.index}`;
			const a = await run.api("POST", `/api/links/${L.id}/revoke`, {
				headers: { "Idempotency-Key": key },
			});
			if (expectStatus(run, "revoke", a, [202], L)) {
				L.revokeCommand = a.json.command.id;
				const b = await run.api("POST", `/api/links/${L.id}/revoke`, {
					headers: { "Idempotency-Key": key },
				});
				if (
					expectStatus(run, "revoke replay", b, [202], L) &&
					b.json.command.id !== L.revokeCommand
				) {
					run.violation(
						`revoke replay on ${describe(L)} answered another command ${b.json.command.id}`,
					);
				}
			}
		}
		if (L.action === "revoke+delete") await sleep(int(rngOf(run.o.seed, "rd", L.index), 0, 400));
		if (L.action === "delete" || L.action === "revoke+delete") {
			const key = `load-${run.o.seed}-delete-${L.index}`;
			const a = await run.api("DELETE", `/api/links/${L.id}`, {
				headers: { "Idempotency-Key": key },
			});
			if (expectStatus(run, "delete", a, [202], L)) {
				L.deleteCommand = a.json.command.id;
				const b = await run.api("DELETE", `/api/links/${L.id}`, {
					headers: { "Idempotency-Key": key },
				});
				if (
					expectStatus(run, "delete replay", b, [202], L) &&
					b.json.command.id !== L.deleteCommand
				) {
					run.violation(
						`delete replay on ${describe(L)} answered another command ${b.json.command.id}`,
					);
				}
			}
		}
	} catch (error) {
		run.violation(`${L.action} on ${describe(L)} failed: ${error}`);
	}
}

/** 409 terminal-pending and 410 are expected only on links that get a terminal command. */
function lifecycleAllowed(L) {
	return L.action === "none" ? [200] : [200, 409, 410];
}

async function pauseResume(run, L, holdMs) {
	const p = await run.api("POST", `/api/links/${L.id}/pause`);
	expectStatus(run, "pause", p, lifecycleAllowed(L), L);
	await sleep(holdMs);
	const r = await run.api("POST", `/api/links/${L.id}/resume`);
	expectStatus(run, "resume", r, lifecycleAllowed(L), L);
}

async function patchTitle(run, L, r) {
	const res = await run.api("PATCH", `/api/links/${L.id}`, {
		body: { title: `Load link ${L.index} · ${int(r, 0, 1e6)}` },
	});
	expectStatus(run, "PATCH title", res, lifecycleAllowed(L), L);
}

/** Read the link, then a conditional PATCH with its ETag: 412 if a transition slipped in. */
async function patchIfMatch(run, L, r) {
	const read = await run.api("GET", `/api/links/${L.id}`);
	if (!expectStatus(run, "GET link", read, L.action.includes("delete") ? [200, 410] : [200], L))
		return;
	if (read.status !== 200) return;
	const etag = read.headers.get("etag");
	const { epoch, settingsRevision } = read.json.link;
	if (etag !== `"${epoch}.${settingsRevision}"`)
		run.violation(`ETag ${etag} != "<epoch>.<settingsRevision>" ("${epoch}.${settingsRevision}")`);
	const res = await run.api("PATCH", `/api/links/${L.id}`, {
		headers: { "If-Match": etag ?? "*" },
		body: { description: `conditional ${int(r, 0, 1e6)}` },
	});
	expectStatus(run, "conditional PATCH", res, [...lifecycleAllowed(L), 412], L);
}

async function ownerLoop(run, isDone) {
	const r = rngOf(run.o.seed, "owner");
	const pending = new Set();
	const counts = { pauseResume: 0, patch: 0, conditional: 0 };
	while (!isDone() && !run.stopped) {
		await sleep(int(r, 100, 500));
		if (isDone() || run.stopped) break;
		const L = pick(r, run.links);
		const x = r();
		let p;
		if (x < 0.45) {
			counts.pauseResume++;
			p = pauseResume(run, L, int(r, 200, 1500));
		} else if (x < 0.8) {
			counts.patch++;
			p = patchTitle(run, L, r);
		} else {
			counts.conditional++;
			p = patchIfMatch(run, L, r);
		}
		const tracked = p.catch((e) => run.violation(`owner action on ${describe(L)} failed: ${e}`));
		pending.add(tracked);
		tracked.finally(() => pending.delete(tracked));
	}
	await Promise.allSettled([...pending]);
	return counts;
}

// --- after the load: quiesce, audit, check ----------------------------------------

async function discoverCommands(run) {
	for (const L of run.links) {
		if (L.gone) continue;
		let cursor = null;
		for (let page = 0; page < 50; page++) {
			const q = cursor ? `?limit=100&cursor=${cursor}` : "?limit=100";
			const res = await run.api("GET", `/api/links/${L.id}/commands${q}`);
			if (res.status === 410 && L.action.includes("delete")) {
				L.gone = true;
				break;
			}
			if (!expectStatus(run, "GET commands", res, [200], L)) break;
			for (const c of res.json.items) run.trackCommand(c, "list");
			cursor = res.json.nextCursor;
			if (!cursor) break;
		}
	}
}

async function quiesce(run) {
	const deadline = Date.now() + run.o.quiesce * 1000;
	for (;;) {
		await discoverCommands(run);
		const waiting = [...run.commands.values()].filter(
			(c) => !FINAL.has(c.status) && c.status !== "dead_lettered",
		);
		await Promise.all(
			waiting.map(async (c) => {
				const res = await run.api("GET", `/api/commands/${c.id}`);
				if (res.status === 200) run.trackCommand(res.json.command, "poll");
				else expectStatus(run, `GET command ${c.id}`, res, [200], run.links[c.linkIndex]);
			}),
		);
		const still = [...run.commands.values()].filter(
			(c) => !FINAL.has(c.status) && c.status !== "dead_lettered",
		);
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

function judgeCommands(run) {
	for (const c of run.commands.values()) {
		const L = run.links[c.linkIndex];
		if (c.status === "dead_lettered") {
			run.violation(`command ${c.kind} ${c.id} on ${describe(L)} dead_lettered: ${c.error}`);
		}
		if (c.kind === "revoke" && c.status !== "succeeded") {
			run.violation(`revoke ${c.id} on ${describe(L)} ended ${c.status} ${c.result}`);
		}
		if (c.kind === "delete" && c.status !== "succeeded") {
			run.violation(`delete ${c.id} on ${describe(L)} ended ${c.status} ${c.result}`);
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

async function audit(run, adminToken) {
	for (const L of run.links) {
		const res = await run.api("GET", `/api/admin/links/${L.id}/audit?sweep=1`, {
			auth: adminToken,
		});
		if (!expectStatus(run, "audit", res, [200], L)) continue;
		L.audit = res.json;
		if (!res.json.settled) run.violation(`audit: ${describe(L)} not settled`);
		for (const v of res.json.violations) run.violation(`audit ${describe(L)} ${L.id}: ${v}`);
	}
}

async function listAll(run, path) {
	const items = [];
	let cursor = null;
	for (let page = 0; page < 100; page++) {
		const q = `?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
		const res = await run.api("GET", `${path}${q}`);
		if (res.status !== 200) return { status: res.status, json: res.json, items };
		items.push(...res.json.items);
		cursor = res.json.nextCursor;
		if (!cursor) break;
	}
	return { status: 200, items };
}

/** End states, files, counters, upload states and downloads. Returns the bytes accepted. */
async function checkLinks(run) {
	const expected = {
		none: "active",
		revoke: "revoked",
		delete: "deleted",
		"revoke+delete": "deleted",
	};
	let accepted = 0;
	let acceptedFiles = 0;
	const candidates = [];
	for (const L of run.links) {
		const want = expected[L.action];
		const read = await run.api("GET", `/api/links/${L.id}`);
		const pub = await run.api("GET", `/r/${L.id}`, {
			auth: null,
			headers: { "Link-Secret": L.secret },
		});
		if (want === "deleted") {
			L.finalState = read.status === 410 ? "deleted" : read.json?.link?.state;
			if (read.status !== 410 || read.json?.code !== "link-deleted") {
				run.violation(
					`${describe(L)}: GET link answered ${read.status} ${read.json?.code ?? read.json?.link?.state}, expected 410 link-deleted`,
				);
			}
			if (pub.status !== 410 || pub.json?.code !== "link-deleted") {
				run.violation(
					`${describe(L)}: capability URL answered ${pub.status} ${pub.json?.code ?? ""}, expected 410 link-deleted`,
				);
			}
			const files = await run.api("GET", `/api/links/${L.id}/files`);
			if (files.status !== 410)
				run.violation(`${describe(L)}: files of a deleted link answered ${files.status}`);
			continue;
		}
		if (!expectStatus(run, "GET link (final)", read, [200], L)) continue;
		const link = read.json.link;
		L.finalState = link.state;
		L.epoch = link.epoch;
		if (link.state !== want)
			run.violation(`${describe(L)}: final state ${link.state}, expected ${want}`);
		const pubWant = want === "active" ? 200 : 410;
		if (pub.status !== pubWant)
			run.violation(`${describe(L)}: capability URL answered ${pub.status}, expected ${pubWant}`);

		const files = await listAll(run, `/api/links/${L.id}/files`);
		if (files.status !== 200) {
			run.violation(`${describe(L)}: files list answered ${files.status}`);
			continue;
		}
		const uploads = await listAll(run, `/api/links/${L.id}/uploads`);
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
		const finalizedIds = new Set(
			uploads.items.filter((x) => x.state === "finalized").map((x) => x.id),
		);
		const listed = new Set(files.items.map((x) => x.uploadId));
		for (const id of finalizedIds)
			if (!listed.has(id))
				run.violation(`${describe(L)}: finalized upload ${id} missing from the files list`);
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
		// What each of our uploads should have become on this link.
		for (const rec of run.records.filter((x) => x.link === L.index && x.uploadId)) {
			const state = stateOf.get(rec.uploadId);
			const who = `upload u${rec.u}/f${rec.f} ${rec.uploadId} on ${describe(L)}`;
			let want = null;
			if (rec.outcome === "finalized") want = "finalized";
			else if (rec.outcome === "aborted") want = "aborted";
			else if (rec.outcome === "completed") {
				want =
					L.action === "none"
						? "completed"
						: L.lateFinalize === "recover"
							? "finalized"
							: "rejected";
			}
			if (want && state !== want)
				run.violation(`${who}: client saw ${rec.outcome}, server state ${state}, expected ${want}`);
			if (state === "finalized" && !listed.has(rec.uploadId))
				run.violation(`${who}: finalized but not listed`);
			rec.serverState = state;
		}
	}
	const downloads = await verifyDownloads(run, candidates);
	return { accepted, acceptedFiles, downloads };
}

async function verifyDownloads(run, candidates) {
	const r = rngOf(run.o.seed, "downloads");
	const large = candidates.filter((c) => c.rec.mode === "multipart");
	const small = candidates.filter((c) => c.rec.mode !== "multipart");
	const chosen = [];
	const limit = Math.min(run.o.downloads, candidates.length);
	while (chosen.length < limit && (large.length || small.length)) {
		const from = large.length && (chosen.length % 3 === 0 || !small.length) ? large : small;
		chosen.push(...from.splice(Math.floor(r() * from.length), 1));
	}
	let ok = 0;
	for (const { L, file, rec } of chosen) {
		const res = await run.ownerFetch(`${run.baseUrl}${file.downloadUrl}`, {
			headers: { Authorization: `Bearer ${run.ownerKey}` },
		});
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
	};
}

/** Errors the Worker logged (queue consumer, alarms) do not show up as HTTP statuses. */
function noteServerErrors(run, logFile) {
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

// --- report -------------------------------------------------------------------------

function report(run, info) {
	const o = run.o;
	const out = [];
	out.push("");
	out.push(
		`=== load test: seed ${o.seed}, ${o.uploaders} uploaders x ${o.files} files on ${o.links} links, ${run.baseUrl}${o.snapshot ? " (bundle snapshot)" : ""} ===`,
	);
	out.push(
		table(
			"Links",
			["#", "id", "policy", "maxFiles", "action", "fired", "state", "epoch", "files", "bytes"],
			run.links.map((L) => [
				L.index,
				L.id,
				L.lateFinalize,
				L.maxFiles ?? "-",
				L.action,
				L.firedAt ?? "-",
				L.finalState ?? "?",
				L.epoch ?? "-",
				L.files ?? "-",
				L.bytes ?? "-",
			]),
		),
	);
	const statuses = [...run.byStatus.entries()].sort((a, b) =>
		String(a[0]).localeCompare(String(b[0])),
	);
	const total = statuses.reduce((n, [, c]) => n + c, 0);
	out.push(
		table(
			"Requests by status code",
			["status", "count"],
			[...statuses.map(([s, c]) => [String(s), c]), ["total", total]],
		),
	);
	out.push(
		table(
			"Requests by route",
			["route", "count", "statuses"],
			[...run.byRoute.entries()]
				.sort((a, b) => a[0].localeCompare(b[0]))
				.map(([route, m]) => [
					route,
					[...m.values()].reduce((n, c) => n + c, 0),
					[...m.entries()]
						.sort((a, b) => String(a[0]).localeCompare(String(b[0])))
						.map(([s, c]) => `${s}:${c}`)
						.join(" "),
				]),
		),
	);
	const kinds = [...new Set([...run.commands.values()].map((c) => c.kind))].sort();
	const cstat = ["succeeded", "rejected", "cancelled", "dead_lettered", "accepted", "applying"];
	out.push(
		table(
			"Commands by final status",
			["kind", ...cstat, "results"],
			kinds.map((k) => {
				const cs = [...run.commands.values()].filter((c) => c.kind === k);
				const results = new Map();
				for (const c of cs) results.set(c.result, (results.get(c.result) ?? 0) + 1);
				return [
					k,
					...cstat.map((s) => cs.filter((c) => c.status === s).length),
					[...results.entries()].map(([r, n]) => `${r}:${n}`).join(" "),
				];
			}),
		),
	);
	const outcomes = [
		"finalized",
		"completed",
		"aborted",
		"rejected",
		"gone",
		"error",
		"cut off",
		"not started",
	];
	out.push(
		table(
			"Uploads by outcome (client side)",
			["outcome", "uploads", "multipart", "bytes", "details"],
			outcomes
				.map((name) => {
					const rs = run.records.filter((x) => x.outcome === name);
					const details = new Map();
					for (const x of rs) if (x.detail) details.set(x.detail, (details.get(x.detail) ?? 0) + 1);
					return [
						name,
						rs.length,
						rs.filter((x) => x.mode === "multipart").length,
						bytes(rs.reduce((n, x) => n + x.size, 0)),
						[...details.entries()].map(([d, n]) => `${d}:${n}`).join(", "),
					];
				})
				.filter((row) => row[1] > 0),
		),
	);
	out.push(
		table(
			"Totals",
			["measure", "value"],
			[
				[
					"bytes accepted (files of non-deleted links)",
					`${info.checks?.accepted ?? "?"} B (${bytes(info.checks?.accepted ?? 0)}) in ${info.checks?.acceptedFiles ?? "?"} files`,
				],
				[
					"downloads verified (sha256)",
					info.checks
						? `${info.checks.downloads.ok}/${info.checks.downloads.checked} ok (${info.checks.downloads.multipart} multipart)`
						: "?",
				],
				[
					"owner actions",
					`pause+resume ${info.owner?.pauseResume ?? 0}, PATCH ${info.owner?.patch ?? 0}, conditional PATCH ${info.owner?.conditional ?? 0}`,
				],
				[
					"load phase",
					`${seconds(info.loadMs)}${info.capped ? ` (hit the ${o.duration} s cap)` : ""}`,
				],
				["quiesce", seconds(info.quiesceMs ?? 0)],
				["checks (audit, lists, downloads)", seconds(info.checkMs ?? 0)],
				["total (incl. wrangler start)", seconds(Date.now() - info.start)],
			],
		),
	);
	if (run.notes.length) {
		out.push(`Notes (${run.notes.length}, not violations)`);
		for (const n of run.notes.slice(0, 20)) out.push(`  - ${n}`);
		if (run.notes.length > 20) out.push(`  ... ${run.notes.length - 20} more`);
	}
	out.push(`Violations: ${run.violations.length}`);
	for (const v of run.violations.slice(0, 100)) out.push(`  - ${v}`);
	if (run.violations.length > 100) out.push(`  ... ${run.violations.length - 100} more`);
	out.push(run.violations.length ? `FAIL (reproduce the plan with --seed ${o.seed})` : "PASS");
	console.log(out.join("\n"));
}

// --- main ---------------------------------------------------------------------------

export async function main(client) {
	const start = Date.now();
	let o;
	try {
		o = parseOptions(process.argv.slice(2));
	} catch (error) {
		console.error(`load: ${error.message}\n${usage()}`);
		return 2;
	}
	const plan = makePlan(o);
	let server = null;
	let interrupted = false;
	const onSignal = (signal) => {
		if (interrupted) return;
		interrupted = true;
		console.error(`\nload: ${signal}, stopping wrangler`);
		const done = () => process.exit(130);
		(server ? server.stop() : Promise.resolve()).then(done, done);
	};
	process.on("SIGINT", onSignal);
	process.on("SIGTERM", onSignal);
	process.on("SIGHUP", onSignal);
	const hardLimitMs = (o.duration + o.quiesce + 180) * 1000;
	const watchdog = setTimeout(() => {
		console.error(`load: hard time limit (${hardLimitMs / 1000} s) reached, giving up`);
		const done = () => process.exit(3);
		(server ? server.stop() : Promise.resolve()).then(done, done);
	}, hardLimitMs);
	watchdog.unref();

	const logFile = join(ROOT, ".wrangler", "load-wrangler.log");
	try {
		const vars = ensureDevVars(ROOT);
		console.log(
			`load: seed ${o.seed}; starting wrangler dev (state .wrangler/load-state, log .wrangler/load-wrangler.log)`,
		);
		server = await startServer({
			root: ROOT,
			port: o.port,
			persistDir: join(ROOT, ".wrangler", "load-state"),
			buildDir: join(ROOT, ".wrangler", "load-build"),
			logFile,
			snapshot: o.snapshot,
		});
		console.log(
			`load: wrangler dev ready on ${server.baseUrl} after ${seconds(Date.now() - start)}`,
		);
		const run = new Run(o, plan, client);
		run.baseUrl = server.baseUrl;
		run.ownerFetch = run.makeFetch(false);
		run.uploaderFetch = run.makeFetch(true);
		await setup(run, vars);
		const info = { start };

		// Load phase.
		run.t0 = Date.now();
		let uploadsDone = false;
		const capTimer = setTimeout(() => {
			run.stopped = true;
			info.capped = true;
			run.cap.abort(new Error("duration cap"));
		}, o.duration * 1000);
		const fallback = setTimeout(
			() => {
				for (const L of run.links)
					if (L.action !== "none" && !L.fired) run.terminalFires.push(fireTerminal(run, L));
			},
			(o.duration * 1000) / 2,
		);
		const progress = setInterval(() => {
			const done = run.records.filter((x) => x.outcome).length;
			console.log(
				`load: ${run.at()} ${done}/${o.uploaders * o.files} files done, ${run.violations.length} violations so far`,
			);
		}, 10_000);
		console.log(`load: ${o.uploaders} uploaders on ${o.links} links started`);
		const owner = ownerLoop(run, () => uploadsDone);
		await Promise.all(plan.uploaders.map((p) => runUploader(run, p)));
		uploadsDone = true;
		clearTimeout(capTimer);
		clearInterval(progress);
		info.owner = await owner;
		clearTimeout(fallback);
		// Every planned terminal command is issued, even if the uploads finished first.
		for (const L of run.links)
			if (L.action !== "none" && !L.fired) run.terminalFires.push(fireTerminal(run, L));
		await Promise.all(run.terminalFires);
		for (const L of run.links) {
			if (L.action !== "none") continue;
			const res = await run.api("POST", `/api/links/${L.id}/resume`);
			expectStatus(run, "final resume", res, [200], L);
		}
		info.loadMs = Date.now() - run.t0;
		if (info.capped) {
			const cut = run.records.filter((x) => x.outcome === "cut off" || x.outcome === "not started");
			run.notes.push(
				`the load phase hit the ${o.duration} s cap: ${cut.length} uploads cut off or not started`,
			);
		}
		console.log(
			`load: load phase over after ${seconds(info.loadMs)}; waiting for commands to settle`,
		);

		const q0 = Date.now();
		await quiesce(run);
		judgeCommands(run);
		info.quiesceMs = Date.now() - q0;
		const c0 = Date.now();
		await audit(run, vars.ADMIN_TOKEN);
		info.checks = await checkLinks(run);
		info.checkMs = Date.now() - c0;
		noteServerErrors(run, logFile);
		report(run, info);
		return run.violations.length > 0 ? 1 : 0;
	} catch (error) {
		console.error(`load: harness failure: ${error?.stack ?? error}`);
		if (server) {
			await sleep(1500); // let wrangler flush its log
			try {
				const tail = readFileSync(logFile, "utf8").split("\n").slice(-40).join("\n");
				console.error(`--- tail of ${logFile} ---\n${tail}`);
			} catch {
				// no log
			}
		}
		return 2;
	} finally {
		if (server) await server.stop();
		clearTimeout(watchdog);
	}
}
