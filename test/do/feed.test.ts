/**
 * The link's change feed with more than one sink (docs/webhooks.md, "The
 * feed and its sinks"): each sink gets every event after its own cursor, in
 * seq order, at least once; a failing sink holds back no other and is
 * offered the same events again; `sent_at` waits for every sink; a sink
 * added later starts at the newest event every sink had.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Feed } from "../../src/do/feed/feed";
import { FeedLog } from "../../src/do/feed/log";
import type { FeedEvent, Sink } from "../../src/do/feed/sink";
import { NO_HOOKS } from "../../src/do/hooks";
import type { LinkHost } from "../../src/do/host";
import type { LinkDO } from "../../src/do/link-do";
import type { LinkRecord } from "../../src/do/link-store";
import { openLink, stubOf } from "../helpers";

/** A sink that records what it is given and fails while `failures` lasts. */
function fakeSink(name: string, batch = 100) {
	const got: FeedEvent[][] = [];
	const sink: Sink & { failures: number; got: FeedEvent[][] } = {
		name,
		batch,
		failures: 0,
		got,
		async deliver(events) {
			if (this.failures > 0) {
				this.failures--;
				throw new Error(`${name} is down`);
			}
			got.push([...events]);
		},
	};
	return sink;
}

interface Inside {
	host: LinkHost;
	row: { link(): LinkRecord };
}

/** Runs `fn` inside the link's object with a feed over `sinks` (the object's own tables and timers). */
async function withFeed<T>(
	linkId: string,
	sinks: Sink[],
	fn: (feed: Feed, inside: Inside, sql: SqlStorage) => Promise<T>,
): Promise<T> {
	return runInDurableObject(stubOf(linkId), async (instance: LinkDO, state) => {
		const inside = instance as unknown as Inside;
		const { host } = inside;
		const feed = new Feed(
			host.sql,
			new FeedLog(host.sql),
			host.timers,
			() => ({ env: host.env, hooks: NO_HOOKS }),
			() => Date.now(),
			sinks,
		);
		return fn(feed, inside, state.storage.sql);
	});
}

const record = (feed: Feed, inside: Inside, n: number) =>
	inside.host.transaction(() => {
		for (let i = 0; i < n; i++) feed.record(inside.row.link(), "link.paused");
	});

const sentOf = (sql: SqlStorage) =>
	sql
		.exec<{ seq: number; sent_at: number | null }>("SELECT seq, sent_at FROM events ORDER BY seq")
		.toArray()
		.map((r) => [r.seq, r.sent_at !== null]);

const cursors = (sql: SqlStorage) =>
	Object.fromEntries(
		sql
			.exec<{ sink: string; seq: number }>("SELECT sink, seq FROM feed_cursors")
			.toArray()
			.map((r) => [r.sink, r.seq]),
	);

describe("the change feed's sinks", () => {
	it("a failing sink holds back no other; it gets the same events again, and sent_at waits for both", async () => {
		const { linkId } = await openLink();
		const a = fakeSink("a");
		const b = fakeSink("b", 2);
		a.failures = 1;
		await withFeed(linkId, [a, b], async (feed, inside, sql) => {
			record(feed, inside, 3);
			await feed.flush();
			// b took all three, two at a time, in seq order; a failed and acknowledged nothing.
			expect(b.got.map((batch) => batch.map((e) => e.seq))).toEqual([[1, 2], [3]]);
			expect(a.got).toEqual([]);
			expect(cursors(sql)).toEqual({ b: 3 });
			expect(sentOf(sql)).toEqual([
				[1, false],
				[2, false],
				[3, false],
			]);
			// The events timer stays armed for a.
			expect(
				sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM timers WHERE name = 'events'").one().n,
			).toBe(1);

			await feed.flush();
			expect(a.got.map((batch) => batch.map((e) => e.seq))).toEqual([[1, 2, 3]]);
			expect(b.got).toHaveLength(2); // nothing new for b
			expect(cursors(sql)).toEqual({ a: 3, b: 3 });
			expect(sentOf(sql).every(([, sent]) => sent)).toBe(true);
			expect(
				sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM timers WHERE name = 'events'").one().n,
			).toBe(0);
		});
	});

	it("every event reaches a sink with its link, owner, seq, epoch and payload", async () => {
		const { linkId } = await openLink();
		const a = fakeSink("a");
		await withFeed(linkId, [a], async (feed, inside) => {
			record(feed, inside, 1);
			await feed.flush();
			const link = inside.row.link();
			const [event] = a.got[0] ?? [];
			expect(event).toMatchObject({
				seq: 1,
				epoch: link.epoch,
				type: "link.paused",
				linkId,
				ownerId: link.ownerId,
				payload: { type: "link.paused", data: { linkId, seq: 1, epoch: link.epoch } },
			});
			expect(event?.id).toMatch(/^evt_[0-9a-z]{26}$/);
		});
	});

	it("a sink added later starts at the newest event every sink had, and then gets the rest", async () => {
		const { linkId } = await openLink();
		const first = fakeSink("first");
		await withFeed(linkId, [first], async (feed, inside) => {
			record(feed, inside, 2);
			await feed.flush();
		});
		const later = fakeSink("later");
		await withFeed(linkId, [first, later], async (feed, inside, sql) => {
			record(feed, inside, 1);
			await feed.flush();
			expect(later.got.map((batch) => batch.map((e) => e.seq))).toEqual([[3]]);
			expect(first.got.flat().map((e) => e.seq)).toEqual([1, 2, 3]);
			expect(cursors(sql)).toEqual({ first: 3, later: 3 });
		});
	});
});
