// The load test's webhook receiver (issue 13): one endpoint of the owner,
// every event type, a real HTTP receiver on loopback that verifies each
// delivery with the reference `standardwebhooks` library. After the run:
// every link change and every finalized file arrived as a verified event
// (events received = changes made, 0 lost), duplicates only with the same
// webhook-id, and each link's events recoverable in order from their seq.
import type { OwnerClient } from "../../src/client/index.ts";
import { type Delivery, type Receiver, startReceiver } from "../lib/webhook-receiver.ts";
import type { RunState } from "./state.ts";

const PATH = "/load";

export interface WebhookFigures {
	deliveries: number;
	events: number;
	duplicates: number;
	unverified: number;
	byType: Record<string, number>;
	expectedLinkEvents: number;
	expectedFiles: number;
	lost: number;
}

/** Starts the receiver and registers it for the owner (every event type). */
export async function startWebhooks(owner: OwnerClient): Promise<Receiver> {
	const receiver = await startReceiver();
	const { secret } = await owner.createWebhook({ url: receiver.url(PATH) });
	receiver.trust(PATH, secret);
	return receiver;
}

interface Parsed {
	d: Delivery;
	type: string;
	linkId: string;
	seq: number;
	epoch: number;
}

const parse = (d: Delivery): Parsed => {
	const body = JSON.parse(d.body) as { type: string; data: Record<string, unknown> };
	return {
		d,
		type: body.type,
		linkId: String(body.data.linkId),
		seq: Number(body.data.seq),
		epoch: Number(body.data.epoch),
	};
};

/** What each link should have announced: its transitions (epoch - 1) and its files; null once deleted. */
async function expectedOf(owner: OwnerClient, linkId: string) {
	const res = await owner.getLinkResponse(linkId);
	if (res.status === 410) {
		await res.arrayBuffer();
		return null;
	}
	const { link } = (await res.json()) as { link: { epoch: number; counters: { files: number } } };
	return { transitions: link.epoch - 1, files: link.counters.files };
}

/** Waits (up to `timeoutMs`) for every change to arrive, then judges; violations go to `run`. */
export async function checkWebhooks(
	run: RunState,
	owner: OwnerClient,
	receiver: Receiver,
	timeoutMs = 60_000,
): Promise<WebhookFigures> {
	const deadline = Date.now() + timeoutMs;
	const expected = new Map<string, { transitions: number; files: number } | null>();
	for (const L of run.links) expected.set(L.id, await expectedOf(owner, L.id));
	let problems: string[] = [];
	let figures: WebhookFigures;
	for (;;) {
		problems = [];
		const all = receiver.deliveries(PATH).map(parse);
		const byId = new Map<string, Parsed>();
		for (const p of all) if (!byId.has(p.d.id)) byId.set(p.d.id, p);
		const events = [...byId.values()];
		const byType: Record<string, number> = {};
		for (const e of events) byType[e.type] = (byType[e.type] ?? 0) + 1;
		let lost = 0;
		let expectedLinkEvents = 0;
		let expectedFiles = 0;
		for (const L of run.links) {
			const mine = events.filter((e) => e.linkId === L.id).sort((a, b) => a.seq - b.seq);
			// One id per (link, seq): a duplicate is the same event again, never a second one.
			const seqs = new Map<number, string>();
			for (const e of all.filter((p) => p.linkId === L.id)) {
				const seen = seqs.get(e.seq);
				if (seen && seen !== e.d.id)
					problems.push(`link ${L.id}: seq ${e.seq} arrived under two ids`);
				seqs.set(e.seq, e.d.id);
			}
			// Seqs 1..n with no gap: nothing lost in between, order recoverable.
			mine.forEach((e, i) => {
				if (e.seq !== i + 1) problems.push(`link ${L.id}: event seq ${i + 1} missing`);
			});
			const transitions = mine.filter((e) => e.type.startsWith("link."));
			transitions.forEach((e, i) => {
				if (e.epoch !== i + 2)
					problems.push(`link ${L.id}: transition ${i + 1} (${e.type}) carries epoch ${e.epoch}`);
			});
			const want = expected.get(L.id);
			if (want) {
				expectedLinkEvents += want.transitions;
				expectedFiles += want.files;
				const files = mine.filter((e) => e.type === "upload.finalized").length;
				lost +=
					Math.max(0, want.transitions - transitions.length) + Math.max(0, want.files - files);
				if (transitions.length !== want.transitions)
					problems.push(
						`link ${L.id}: ${transitions.length} transition events for ${want.transitions} transitions`,
					);
				if (files !== want.files)
					problems.push(`link ${L.id}: ${files} upload.finalized events for ${want.files} files`);
			} else if (transitions.at(-1)?.type !== "link.deleted") {
				problems.push(
					`link ${L.id} was deleted but its last transition event is ${transitions.at(-1)?.type}`,
				);
			}
		}
		figures = {
			deliveries: all.length,
			events: events.length,
			duplicates: all.length - events.length,
			unverified: all.filter((p) => p.d.verifiedBy !== 0).length,
			byType,
			expectedLinkEvents,
			expectedFiles,
			lost,
		};
		if ((problems.length === 0 && figures.unverified === 0) || Date.now() > deadline) break;
		await new Promise((r) => setTimeout(r, 500));
	}
	if (figures.unverified > 0)
		run.violation(`${figures.unverified} webhook deliveries did not verify`);
	for (const p of problems) run.violation(`webhooks: ${p}`);
	return figures;
}
