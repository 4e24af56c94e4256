/**
 * Runs one generated interleaving against the real Worker (HTTP), the real
 * LinkDO (RPC for the split admit / write / record of a single PUT), real R2
 * and the real queue consumer, comparing every answer with the reference
 * model, then checks the invariants with the audit.
 *
 * Queue sends are failed on purpose (faults.failSend), so commands reach the
 * DO only through `deliver` steps: that makes the interleaving, duplicates
 * and reorderings part of the generated case, and the run deterministic.
 */
import {
	createExecutionContext,
	createMessageBatch,
	evictDurableObject,
	getQueueResult,
	runInDurableObject,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import type { LinkDO } from "../../src/do/link-do";
import worker from "../../src/index";
import { sha256Hex } from "../../src/lib/crypto";
import { hashOfSecret, tusUploadToken } from "../../src/lib/ids";
import {
	ADMIN,
	bearer,
	bodyOf,
	bytesOf,
	call,
	callLink,
	createLink,
	parseUploadUrl,
	sendJson,
	sendLinkJson,
	setFaults,
	stubOf,
} from "../helpers";
import { type Answer, LinkModel } from "./model";
import { type SmallContext, type SmallSession, smallAdmit, smallRecord } from "./small";

export type Step =
	| { t: "pause" | "resume" | "patch" | "revoke" | "delete" | "evict" }
	| { t: "deliver"; pick: number }
	| { t: "advance"; u: number }
	| { t: "init" | "admit" | "write" | "record" | "finalize" | "abort" | "status"; u: number };

export interface Case {
	sizes: number[];
	/** Which uploaders speak tus (creation, then one PATCH) instead of the native API. */
	tus: boolean[];
	/** Which other uploaders send their file in one request (POST …/files: admit, write, record). */
	small: boolean[];
	maxFiles: number | null;
	policy: "recover" | "reject";
	steps: Step[];
}

const UPLOADERS = 3;
const uploader = fc.integer({ min: 0, max: UPLOADERS - 1 });

export const stepArb: fc.Arbitrary<Step> = fc.oneof(
	{
		weight: 2,
		arbitrary: fc.constantFrom(...(["pause", "resume", "patch"] as const)).map((t) => ({ t })),
	},
	{
		weight: 1,
		arbitrary: fc.constantFrom(...(["revoke", "delete", "evict"] as const)).map((t) => ({ t })),
	},
	{ weight: 3, arbitrary: fc.nat({ max: 20 }).map((pick) => ({ t: "deliver" as const, pick })) },
	{ weight: 10, arbitrary: uploader.map((u) => ({ t: "advance" as const, u })) },
	{
		weight: 5,
		arbitrary: fc
			.record({
				t: fc.constantFrom(
					...(["init", "admit", "write", "record", "finalize", "abort", "status"] as const),
				),
				u: uploader,
			})
			.map((s) => s as Step),
	},
);

export const caseArb: fc.Arbitrary<Case> = fc.record({
	sizes: fc.array(fc.integer({ min: 0, max: 48 }), { minLength: UPLOADERS, maxLength: UPLOADERS }),
	tus: fc.array(fc.boolean(), { minLength: UPLOADERS, maxLength: UPLOADERS }),
	small: fc.array(fc.boolean(), { minLength: UPLOADERS, maxLength: UPLOADERS }),
	maxFiles: fc.constantFrom(null, 1, 2),
	policy: fc.constantFrom("recover" as const, "reject" as const),
	steps: fc.array(stepArb, { minLength: 4, maxLength: 40 }),
});

interface Session {
	uploadId: string;
	token: string;
	tus: boolean;
	auth: { linkSecretHash: string; uploadId: string; tokenHash: string };
}

/** The answer of a DO RPC result: 200, or its problem's status and code. */
function rpcAnswer(r: { ok: boolean }): Answer {
	if (r.ok) return { status: 200 };
	const { status, code } = (r as unknown as { problem: Answer }).problem;
	return { status, code };
}

/** Answers seen over a run, by step and status, so a run shows what it exercised. */
export const coverage = new Map<string, number>();

async function answerOf(res: Response): Promise<Answer & { body: Record<string, unknown> }> {
	const text = await res.text();
	const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
	return {
		status: res.status,
		...(typeof body.code === "string" ? { code: body.code } : {}),
		body,
	};
}

export async function runCase(apiKey: string, c: Case): Promise<void> {
	const { link, uploadUrl } = await createLink(apiKey, {
		maxFiles: c.maxFiles,
		lateFinalize: c.policy,
	});
	const linkSecretHash = (await hashOfSecret(parseUploadUrl(uploadUrl).secret)) ?? "";
	const stub = stubOf(link.id);
	const quiet = { failSend: 1_000_000_000 };
	await setFaults(link.id, quiet);
	const model = new LinkModel(c.sizes, c.maxFiles, c.policy);
	const sessions: (Session | null)[] = c.sizes.map(() => null);
	const grants: ({
		key: string;
		written: boolean;
		multipartId?: string;
		etag?: string;
		partRecorded?: boolean;
		hold?: string;
		/** A one-request upload's write (recorded by `recordSmall`). */
		small?: boolean;
	} | null)[] = c.sizes.map(() => null);
	const isSmall = (u: number) => Boolean(c.small[u]) && !c.tus[u];
	const tusHeaders = {
		"Tus-Resumable": "1.0.0",
		"Link-Secret": parseUploadUrl(uploadUrl).secret,
	};
	const commandIds = new Map<number, string>();
	const log: string[] = [];
	const owner = bearer(apiKey);

	const expectAnswer = (label: string, actual: Answer, predicted: Answer) => {
		log.push(`${label} -> ${actual.status}${actual.code ? ` ${actual.code}` : ""}`);
		const key = `${label.split(" ")[1]} ${actual.status}${actual.code ? ` ${actual.code}` : ""}`;
		coverage.set(key, (coverage.get(key) ?? 0) + 1);
		if (actual.status !== predicted.status || (predicted.code && actual.code !== predicted.code)) {
			throw new Error(
				`${label}: got ${actual.status} ${actual.code ?? ""}, model says ${predicted.status} ${predicted.code ?? ""}\n` +
					`history:\n  ${log.join("\n  ")}\nmodel: ${JSON.stringify({ state: model.state, epoch: model.epoch, uploads: model.uploads, commands: model.commands })}`,
			);
		}
	};
	const noteCommand = (label: string, seq: number | undefined, body: Record<string, unknown>) => {
		const command = body.command as { id: string; seq: number } | undefined;
		if (!command || command.seq !== seq)
			throw new Error(
				`${label}: command seq ${command?.seq}, model says ${seq}\n${log.join("\n")}`,
			);
		commandIds.set(command.seq, command.id);
	};
	const deliver = async (seq: number) => {
		const id = commandIds.get(seq);
		if (!id) return;
		const batch = createMessageBatch("link-commands", [
			{
				id: `m-${seq}-${Math.random()}`,
				timestamp: new Date(),
				attempts: 1,
				body: { v: 1, linkId: link.id, commandId: id, seq },
			},
		]);
		const ctx = createExecutionContext();
		await worker.queue(batch, env, ctx);
		const result = await getQueueResult(batch, ctx);
		if (result.explicitAcks.length !== 1)
			throw new Error(`delivery of seq ${seq} not acked: ${JSON.stringify(result)}`);
		model.drain();
		log.push(`deliver ${seq}`);
	};

	/** A finalize command named by a tus answer, noted with the seq the model gave it. */
	const noteTusCommand = async (label: string, seq: number | undefined, id: string | null) => {
		const res = await call(`/api/commands/${id ?? "none"}`, { headers: ADMIN });
		noteCommand(label, seq, (await answerOf(res)).body);
	};

	/**
	 * A tus uploader's creation: answered like an init. An empty file is also
	 * written, completed and finalized by the creation itself.
	 */
	const tusInit = async (u: number, label: string) => {
		const size = c.sizes[u] ?? 0;
		const res = await call(`/r/${link.id}/tus/`, {
			method: "POST",
			headers: {
				...tusHeaders,
				"Upload-Length": String(size),
				"Upload-Metadata": `filename ${btoa(`f${u}.bin`)}`,
			},
		});
		const a = await answerOf(res);
		expectAnswer(label, a, model.init(u));
		if (a.status !== 201) return;
		const uploadId = (res.headers.get("location") ?? "").split("/").pop() ?? "";
		const token = await tusUploadToken(env.LINK_ID_SECRET, uploadId);
		const tokenHash = await sha256Hex(token);
		sessions[u] = { uploadId, token, tus: true, auth: { linkSecretHash, uploadId, tokenHash } };
		if (size > 0) return;
		expectAnswer(`${label} (empty: admit)`, { status: 200 }, model.admit(u));
		model.write(u);
		expectAnswer(`${label} (empty: record)`, { status: 200 }, model.record(u));
		const predicted = model.finalize(u);
		expectAnswer(`${label} (empty: finalize)`, { status: 202 }, predicted);
		await noteTusCommand(label, predicted.seq, res.headers.get("receive-link-command"));
	};

	/** A tus PATCH begins (its hold) and admits its one part: answered like a single PUT's admit. */
	const tusAdmit = async (u: number, s: Session, label: string) => {
		const begin = await stub.tusBegin({ ...s.auth, offset: 0 });
		if (!begin.ok) {
			expectAnswer(label, rpcAnswer(begin), model.admit(u));
			return;
		}
		const r = await stub.admitWrite({ ...s.auth, op: "part-put", partNumber: 1 });
		expectAnswer(label, rpcAnswer(r), model.admit(u));
		const hold = begin.value.hold;
		if (r.ok)
			grants[u] = {
				key: r.value.key,
				written: false,
				multipartId: r.value.multipartId ?? "",
				hold,
			};
		else
			await stub.tusEnd({
				uploadId: s.uploadId,
				hold,
				offset: 0,
				restWritten: false,
				refused: false,
			});
	};

	/**
	 * A tus PATCH records its part, completes the upload and queues its
	 * finalize (the last PATCH does all three), then ends: answered like a
	 * single PUT's record, then a finalize request.
	 */
	const tusRecord = async (
		u: number,
		s: Session,
		g: { key: string; etag?: string; partRecorded?: boolean; hold?: string },
		label: string,
	) => {
		const size = c.sizes[u] ?? 0;
		const end = () =>
			stub.tusEnd({
				uploadId: s.uploadId,
				hold: g.hold ?? "",
				offset: size,
				restWritten: false,
				refused: false,
			});
		if (!g.partRecorded) {
			const outcome = g.etag
				? { ok: true as const, etag: g.etag, size }
				: { ok: false as const, reason: "aborted" as const };
			const part = await stub.recordWrite({
				uploadId: s.uploadId,
				op: "part-put",
				partNumber: 1,
				outcome,
			});
			if (!part.ok) {
				grants[u] = null;
				expectAnswer(label, rpcAnswer(part), model.record(u));
				await end();
				return;
			}
			g.partRecorded = true;
		}
		const done = await stub.admitWrite({ ...s.auth, op: "complete" });
		const refused = done.ok ? null : rpcAnswer(done);
		if (refused?.status === 423) {
			// Paused or closing as the last part landed: every byte is held, the completion waits
			// (the client's retry, a HEAD or a PATCH, completes it). The model sees the write's
			// record only when the completion is decided.
			log.push(`${label} -> complete waits (${refused.code})`);
			await end();
			return;
		}
		grants[u] = null;
		if (!done.ok) {
			expectAnswer(label, rpcAnswer(done), model.record(u));
			await end();
			return;
		}
		const object = await env.FILES.resumeMultipartUpload(
			done.value.key,
			done.value.multipartId ?? "",
		).complete(done.value.parts);
		const completed = await stub.recordWrite({
			uploadId: s.uploadId,
			op: "complete",
			outcome: { ok: true, etag: object.etag, size: object.size },
		});
		expectAnswer(label, rpcAnswer(completed), model.record(u));
		await end();
		if (!completed.ok) return;
		const fin = await stub.requestFinalize(s.auth);
		const predicted = model.finalize(u);
		expectAnswer(`${label} (finalize)`, fin.ok ? { status: 202 } : rpcAnswer(fin), predicted);
		if (fin.ok) noteCommand(label, predicted.seq, { command: fin.value.command });
	};

	const smallCtx = (): SmallContext => ({
		stub,
		model,
		linkSecretHash,
		sizes: c.sizes,
		expectAnswer,
		noteCommand,
	});

	/** `advance` takes an uploader one step further along the protocol. */
	const next = (u: number): Step => {
		const s = sessions[u];
		const g = grants[u];
		const state = model.uploads[u]?.state;
		if (!s) return { t: "init", u };
		if (g) return g.written ? { t: "record", u } : { t: "write", u };
		if (state === "open") return { t: "admit", u };
		if (state === "completed") return { t: "finalize", u };
		return { t: "status", u };
	};

	for (const [index, generated] of c.steps.entries()) {
		const step = generated.t === "advance" ? next(generated.u) : generated;
		const label = `#${index} ${step.t}${"u" in step ? ` u${step.u}` : ""}`;
		switch (step.t) {
			case "pause":
			case "resume":
			case "patch": {
				const res =
					step.t === "patch"
						? await sendJson("PATCH", `/api/links/${link.id}`, { title: `t${index}` }, owner)
						: await call(`/api/links/${link.id}/${step.t}`, { method: "POST", headers: owner });
				const a = await answerOf(res);
				expectAnswer(label, a, model.ownerSync(step.t));
				if (a.status === 200) {
					const epoch = (a.body.link as { epoch: number }).epoch;
					if (epoch !== model.epoch)
						throw new Error(`${label}: epoch ${epoch}, model ${model.epoch}`);
				}
				break;
			}
			case "revoke":
			case "delete": {
				const res =
					step.t === "revoke"
						? await call(`/api/links/${link.id}/revoke`, { method: "POST", headers: owner })
						: await call(`/api/links/${link.id}`, { method: "DELETE", headers: owner });
				const a = await answerOf(res);
				const predicted = model.issue(step.t);
				expectAnswer(label, a, predicted);
				if (a.status === 202) noteCommand(label, predicted.seq, a.body);
				break;
			}
			case "evict":
				await evictDurableObject(stub);
				await setFaults(link.id, quiet);
				log.push(label);
				break;
			case "advance":
				break;
			case "deliver": {
				if (commandIds.size === 0) break;
				const seqs = [...commandIds.keys()];
				await deliver(seqs[step.pick % seqs.length] as number);
				break;
			}
			case "init": {
				if (sessions[step.u]) break;
				if (c.tus[step.u]) {
					await tusInit(step.u, label);
					break;
				}
				if (isSmall(step.u)) {
					const admitted = await smallAdmit(smallCtx(), step.u, label);
					if (admitted) {
						sessions[step.u] = admitted.session;
						grants[step.u] = { key: admitted.key, written: false, small: true };
					}
					break;
				}
				const res = await sendLinkJson("POST", uploadUrl, `/uploads`, {
					name: `f${step.u}.bin`,
					size: c.sizes[step.u],
				});
				const a = await answerOf(res);
				expectAnswer(label, a, model.init(step.u));
				if (a.status === 201) {
					const upload = a.body.upload as { id: string };
					const token = a.body.uploadToken as string;
					sessions[step.u] = {
						uploadId: upload.id,
						token,
						tus: false,
						auth: { linkSecretHash, uploadId: upload.id, tokenHash: await sha256Hex(token) },
					};
				}
				break;
			}
			case "admit": {
				const s = sessions[step.u];
				// A one-request upload's write is admitted with its session, never on its own.
				if (!s || grants[step.u] || isSmall(step.u)) break;
				if (s.tus) {
					await tusAdmit(step.u, s, label);
					break;
				}
				const r = await stub.admitWrite({ ...s.auth, op: "single-put" });
				const a = rpcAnswer(r);
				expectAnswer(label, a, model.admit(step.u));
				if (r.ok) grants[step.u] = { key: r.value.key, written: false };
				break;
			}
			case "write": {
				const g = grants[step.u];
				if (!g || g.written) break;
				if (g.multipartId !== undefined) {
					// tus: the PATCH's one part (a multipart upload the cleanup may have aborted).
					const bytes = bytesOf(c.sizes[step.u] ?? 0, step.u + 1);
					g.etag = await env.FILES.resumeMultipartUpload(g.key, g.multipartId)
						.uploadPart(1, bytes)
						.then((p) => p.etag)
						.catch(() => undefined);
					g.written = true;
					model.write(step.u);
					log.push(label);
					break;
				}
				await env.FILES.put(g.key, bytesOf(c.sizes[step.u] ?? 0, step.u + 1));
				g.written = true;
				model.write(step.u);
				log.push(label);
				break;
			}
			case "record": {
				const g = grants[step.u];
				const s = sessions[step.u];
				if (!g?.written || !s) break;
				if (s.tus) {
					await tusRecord(step.u, s, g, label);
					break;
				}
				const head = await env.FILES.head(g.key);
				if (g.small) {
					grants[step.u] = null;
					await smallRecord(smallCtx(), step.u, s as SmallSession, head?.etag ?? "gone", label);
					break;
				}
				const r = await stub.recordWrite({
					uploadId: s.uploadId,
					op: "single-put",
					outcome: { ok: true, etag: head?.etag ?? "gone", size: c.sizes[step.u] ?? 0 },
				});
				grants[step.u] = null;
				const a = rpcAnswer(r);
				expectAnswer(label, a, model.record(step.u));
				break;
			}
			case "finalize":
			case "abort":
			case "status": {
				const s = sessions[step.u];
				if (!s) break;
				const path = `/uploads/${s.uploadId}`;
				const headers = { "Upload-Token": s.token };
				const res =
					step.t === "finalize"
						? await callLink(uploadUrl, `${path}/finalize`, { method: "POST", headers })
						: step.t === "abort"
							? await callLink(uploadUrl, path, { method: "DELETE", headers })
							: await callLink(uploadUrl, path, { headers });
				const a = await answerOf(res);
				const predicted =
					step.t === "finalize"
						? model.finalize(step.u)
						: step.t === "abort"
							? model.abort(step.u)
							: model.status(step.u);
				expectAnswer(label, a, predicted);
				if (step.t === "finalize" && a.status === 202)
					noteCommand(label, (predicted as { seq?: number }).seq, a.body);
				if (step.t === "status" && a.status === 200) {
					const state = (a.body.upload as { state: string }).state;
					const expected = model.uploads[step.u]?.state;
					if (state !== expected)
						throw new Error(`${label}: upload ${state}, model ${expected}\n${log.join("\n")}`);
				}
				break;
			}
		}
	}

	// Quiesce: every command reaches its final status, then the invariants hold.
	for (const seq of commandIds.keys()) await deliver(seq);
	for (const [seq, id] of commandIds) {
		const res = await call(`/api/commands/${id}`, { headers: ADMIN });
		const { command } = await bodyOf<{
			command: { status: string; result: string | null; appliedEpoch: number | null };
		}>(res);
		const m = model.commands[seq - 1];
		if (
			!m ||
			command.status !== m.status ||
			command.result !== m.result ||
			command.appliedEpoch !== m.appliedEpoch
		) {
			throw new Error(
				`command ${seq}: ${JSON.stringify(command)}, model ${JSON.stringify(m)}\n${log.join("\n")}`,
			);
		}
	}
	const rows = await runInDurableObject(stub, (_i: LinkDO, state) => ({
		link: state.storage.sql
			.exec<{ state: string; epoch: number }>("SELECT state, epoch FROM link")
			.one(),
		uploads: state.storage.sql
			.exec<{ id: string; state: string }>("SELECT id, state FROM uploads")
			.toArray(),
	}));
	if (rows.link.state !== model.state || rows.link.epoch !== model.epoch) {
		throw new Error(
			`link ${JSON.stringify(rows.link)}, model ${model.state}@${model.epoch}\n${log.join("\n")}`,
		);
	}
	sessions.forEach((s, u) => {
		if (!s) return;
		const actual = rows.uploads.find((r) => r.id === s.uploadId)?.state;
		if (actual !== model.uploads[u]?.state) {
			throw new Error(
				`upload u${u}: ${actual}, model ${model.uploads[u]?.state}\n${log.join("\n")}`,
			);
		}
	});
	const audit = await bodyOf<{ settled: boolean; violations: string[] }>(
		await call(`/api/admin/links/${link.id}/audit?sweep=1`, { headers: ADMIN }),
	);
	if (!audit.settled || audit.violations.length > 0) {
		throw new Error(`audit: ${JSON.stringify(audit)}\n${log.join("\n")}`);
	}
}
