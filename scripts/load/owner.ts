// The owner's side of the load: creating the links, then pause/resume and
// settings changes fired at random while uploads run, and each link's planned
// revoke or delete (sent twice with one Idempotency-Key: the replay must name
// the same command).
import { type OwnerClient, parseUploadUrl, ReceiveLinkError } from "../../src/client/index.ts";
import { answer, expectStatus } from "./answer.ts";
import { int, pick, type Rng, rngOf } from "./random.ts";
import { describe, type LiveLink, type RunState } from "./state.ts";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Retries a call that failed with a 5xx (already a violation, counted by the fetch) twice. */
async function retry5xx<T>(call: () => Promise<T>): Promise<T> {
	for (let i = 0; ; i++) {
		try {
			return await call();
		} catch (error) {
			if (!(error instanceof ReceiveLinkError && error.status >= 500 && i < 2)) throw error;
			await sleep(500);
		}
	}
}

/** Creates the owner (as admin) and every planned link; returns the owner's client. */
export async function setup(run: RunState, admin: OwnerClient): Promise<OwnerClient> {
	const created = await retry5xx(() => admin.createOwner("Load test owner"));
	const owner = admin.as({ apiKey: created.apiKey });
	for (const L of run.plan.links) {
		const settings = {
			title: `Load link ${L.index}`,
			lateFinalize: L.lateFinalize,
			...(L.maxFiles ? { maxFiles: L.maxFiles } : {}),
		};
		const res = await retry5xx(() => owner.createLink(settings));
		// uploadUrl is <origin>/r/<linkId>#<secret>: the id in the path, the secret
		// (sent as Link-Secret) only in the fragment.
		const { linkId, secret } = parseUploadUrl(res.uploadUrl);
		if (linkId !== res.link.id)
			run.violation(`uploadUrl names link ${linkId}, not the created ${res.link.id}`);
		run.links.push({ ...L, id: res.link.id, uploadUrl: res.uploadUrl, secret, fired: false });
	}
	return owner;
}

/** The link's planned revoke and/or delete, each sent twice with the same Idempotency-Key. */
export async function fireTerminal(run: RunState, owner: OwnerClient, L: LiveLink): Promise<void> {
	L.fired = true;
	L.firedAt = run.at();
	try {
		if (L.action === "revoke" || L.action === "revoke+delete") {
			L.revokeCommand = await twice(run, owner, L, "revoke");
		}
		if (L.action === "revoke+delete") await sleep(int(rngOf(run.o.seed, "rd", L.index), 0, 400));
		if (L.action === "delete" || L.action === "revoke+delete") {
			L.deleteCommand = await twice(run, owner, L, "delete");
		}
	} catch (error) {
		run.violation(`${L.action} on ${describe(L)} failed: ${error}`);
	}
}

async function twice(
	run: RunState,
	owner: OwnerClient,
	L: LiveLink,
	kind: "revoke" | "delete",
): Promise<string | undefined> {
	const idempotencyKey = `load-${run.o.seed}-${kind}-${L.index}`;
	const send = () => answer(owner[kind](L.id, { idempotencyKey }), 202);
	const a = await send();
	if (!expectStatus(run, kind, a, [202], L) || !a.value) return undefined;
	const id = a.value.command.id;
	const b = await send();
	if (expectStatus(run, `${kind} replay`, b, [202], L) && b.value && b.value.command.id !== id) {
		run.violation(
			`${kind} replay on ${describe(L)} answered another command ${b.value.command.id}`,
		);
	}
	return id;
}

/** 409 terminal-pending and 410 are expected only on links that get a terminal command. */
export function lifecycleAllowed(L: LiveLink): number[] {
	return L.action === "none" ? [200] : [200, 409, 410];
}

async function pauseResume(run: RunState, owner: OwnerClient, L: LiveLink, holdMs: number) {
	expectStatus(run, "pause", await answer(owner.pause(L.id)), lifecycleAllowed(L), L);
	await sleep(holdMs);
	expectStatus(run, "resume", await answer(owner.resume(L.id)), lifecycleAllowed(L), L);
}

async function patchTitle(run: RunState, owner: OwnerClient, L: LiveLink, r: Rng) {
	const res = await answer(
		owner.patchLink(L.id, { title: `Load link ${L.index} · ${int(r, 0, 1e6)}` }),
	);
	expectStatus(run, "PATCH title", res, lifecycleAllowed(L), L);
}

/** Read the link, then a conditional PATCH with its ETag: 412 if a transition slipped in. */
async function patchIfMatch(run: RunState, owner: OwnerClient, L: LiveLink, r: Rng) {
	const read = await answer(owner.getLink(L.id));
	if (!expectStatus(run, "GET link", read, L.action.includes("delete") ? [200, 410] : [200], L))
		return;
	if (!read.value) return;
	const { etag, link } = read.value;
	const { epoch, settingsRevision } = link;
	if (etag !== `"${epoch}.${settingsRevision}"`)
		run.violation(`ETag ${etag} != "<epoch>.<settingsRevision>" ("${epoch}.${settingsRevision}")`);
	const res = await answer(
		owner.patchLink(
			L.id,
			{ description: `conditional ${int(r, 0, 1e6)}` },
			{ ifMatch: etag ?? "*" },
		),
	);
	expectStatus(run, "conditional PATCH", res, [...lifecycleAllowed(L), 412], L);
}

export interface OwnerCounts {
	pauseResume: number;
	patch: number;
	conditional: number;
}

/** Random owner actions every 100-500 ms until the uploads are done or the cap is hit. */
export async function ownerLoop(
	run: RunState,
	owner: OwnerClient,
	isDone: () => boolean,
): Promise<OwnerCounts> {
	const r = rngOf(run.o.seed, "owner");
	const pending = new Set<Promise<unknown>>();
	const counts = { pauseResume: 0, patch: 0, conditional: 0 };
	while (!isDone() && !run.stopped) {
		await sleep(int(r, 100, 500));
		if (isDone() || run.stopped) break;
		const L = pick(r, run.links);
		const x = r();
		let p: Promise<void>;
		if (x < 0.45) {
			counts.pauseResume++;
			p = pauseResume(run, owner, L, int(r, 200, 1500));
		} else if (x < 0.8) {
			counts.patch++;
			p = patchTitle(run, owner, L, r);
		} else {
			counts.conditional++;
			p = patchIfMatch(run, owner, L, r);
		}
		const tracked = p.catch((e) => run.violation(`owner action on ${describe(L)} failed: ${e}`));
		pending.add(tracked);
		tracked.finally(() => pending.delete(tracked));
	}
	await Promise.allSettled([...pending]);
	return counts;
}
