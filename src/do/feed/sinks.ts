/**
 * Every sink of a link's feed, in the order the feed offers them events. A
 * new sink (e-mail, WebSocket) is its own module implementing `Sink`
 * (sink.ts) and one line here; its cursor starts at the newest event every
 * sink had acknowledged when it first delivers.
 */
import type { Sink } from "./sink";
import { webhookSink } from "./webhook-sink";

export const SINKS: readonly Sink[] = [webhookSink];
