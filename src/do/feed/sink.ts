/**
 * What a sink of a link's change feed receives, and how it acknowledges
 * (docs/webhooks.md, "Where events come from"). The feed (feed.ts) offers
 * each sink the events after that sink's cursor, oldest first; a sink that
 * resolves has acknowledged them all and its cursor moves past the last; a
 * sink that throws has acknowledged none, and the feed offers the same
 * events again after a while. So every sink sees every event at least once,
 * in seq order, and may see one again (the event id tells them apart).
 */
import type { WebhookEventType } from "../../contract/enums";
import type { LinkBindings } from "../bindings";
import type { LinkHooks } from "../hooks";

/** The body every delivery of an event carries: `{ type, timestamp, data }`. */
export interface FeedPayload {
	type: WebhookEventType;
	/** ISO 8601, when the event was recorded. */
	timestamp: string;
	/** The event's details, always with the link's id, the event's seq and the epoch. */
	data: { linkId: string; seq: number; epoch: number } & Record<string, unknown>;
}

/** One event of a link's feed, as every sink receives it. */
export interface FeedEvent {
	/** The link's event sequence: 1, 2, 3 … with no gap. */
	readonly seq: number;
	/** The link's lifecycle epoch when the event was recorded. */
	readonly epoch: number;
	/** `evt_…`: the same on every delivery of this event (receivers deduplicate on it). */
	readonly id: string;
	readonly type: WebhookEventType;
	readonly linkId: string;
	readonly ownerId: string;
	readonly payload: FeedPayload;
	/** Milliseconds since the epoch. */
	readonly createdAt: number;
}

/** What a sink may use while delivering: the link's bindings and the test hooks. */
export interface SinkContext {
	readonly env: LinkBindings;
	readonly hooks: LinkHooks;
}

export interface Sink {
	/**
	 * Names the sink's cursor (DO table `feed_cursors`). Never rename a shipped
	 * sink: a new name starts from the newest event every sink acknowledged.
	 */
	readonly name: string;
	/** The most events one `deliver` call takes. */
	readonly batch: number;
	/**
	 * Delivers `events` (consecutive, oldest first, each after the sink's
	 * cursor). Resolving acknowledges every one of them; throwing, none.
	 */
	deliver(events: readonly FeedEvent[], context: SinkContext): Promise<void>;
}
