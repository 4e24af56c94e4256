/**
 * The queue modules (src/queues, docs/architecture.md "Folder rules") are the
 * whole truth about queues: every queue the configuration declares has a
 * module and a consumer, the consumer dispatches by exact name, and no code
 * outside src/queues calls a queue binding's `send` or `sendBatch`.
 */
/// <reference types="vite/client" />
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CONSUMED_QUEUES } from "../../src/consumer";
import { familyOf, QUEUES } from "../../src/queues";
import { runBatch } from "../consumer/webhook-kit";

const WRANGLER = Object.values(
	import.meta.glob<string>("../../wrangler.toml", {
		query: "?raw",
		import: "default",
		eager: true,
	}),
)[0];
const VITEST_CONFIG = Object.values(
	import.meta.glob<string>("../../vitest.config.ts", {
		query: "?raw",
		import: "default",
		eager: true,
	}),
)[0];
const SOURCES = import.meta.glob<string>("../../src/**/*.{ts,tsx}", {
	query: "?raw",
	import: "default",
	eager: true,
});

/** The `key = "value"` pairs of every `[[table]]` block named `table` in wrangler.toml. */
function tomlBlocks(text: string, table: string): Record<string, string>[] {
	const blocks = text.split(/^\[/m).filter((b) => b.startsWith(`[${table}]]`));
	return blocks.map((b) =>
		Object.fromEntries([...b.matchAll(/^(\w+)\s*=\s*"([^"]*)"/gm)].map((m) => [m[1], m[2]])),
	);
}

/** The queue names under `queueConsumers` in vitest.config.ts. */
function vitestConsumers(text: string): string[] {
	const start = text.indexOf("queueConsumers: {");
	const end = text.indexOf("\n\t\t\t\t\t},", start);
	expect(start, "queueConsumers in vitest.config.ts").toBeGreaterThan(0);
	return [...text.slice(start, end).matchAll(/^\t{6}"([^"]+)": \{/gm)].map((m) => m[1] ?? "");
}

const sorted = (xs: Iterable<string>) => [...xs].sort();
const modules = Object.values(QUEUES);

describe("the queue registry", () => {
	it("has a consumer for every queue and DLQ of every module, and for nothing else", () => {
		expect(sorted(CONSUMED_QUEUES)).toEqual(sorted(modules.flatMap((q) => [q.QUEUE, q.DLQ])));
	});

	it("covers every queue consumer of wrangler.toml and vitest.config.ts", () => {
		const wrangler = tomlBlocks(WRANGLER ?? "", "queues.consumers").map((c) => c.queue ?? "");
		expect(wrangler.length).toBeGreaterThan(0);
		expect(sorted(wrangler)).toEqual(sorted(CONSUMED_QUEUES));
		expect(sorted(vitestConsumers(VITEST_CONFIG ?? ""))).toEqual(sorted(CONSUMED_QUEUES));
	});

	it("names each queue's DLQ and producer binding as wrangler.toml does", () => {
		const consumers = tomlBlocks(WRANGLER ?? "", "queues.consumers");
		const producers = tomlBlocks(WRANGLER ?? "", "queues.producers");
		for (const q of modules) {
			expect(consumers.find((c) => c.queue === q.QUEUE)?.dead_letter_queue, q.QUEUE).toBe(q.DLQ);
			expect(producers.find((p) => p.queue === q.QUEUE)?.binding, q.QUEUE).toBe(q.BINDING);
			expect(env[q.BINDING], q.BINDING).toBeDefined();
		}
		expect(producers).toHaveLength(modules.length);
	});

	it("tells a queue's family by its exact name only", () => {
		for (const q of modules) {
			expect(familyOf(q.QUEUE)).toBe(q.QUEUE);
			expect(familyOf(q.DLQ)).toBe(q.QUEUE);
			expect(familyOf(`${q.QUEUE}-other`)).toBeNull();
			expect(familyOf(q.QUEUE.slice(0, -1))).toBeNull();
		}
	});

	it("acks the batch of a queue nobody consumes, as before", async () => {
		const result = await runBatch([{ body: { v: 1 } }], { queue: "webhook-deliveries-other" });
		expect(result.explicitAcks).toEqual([]);
		expect(result.retryMessages).toEqual([]);
		expect(result.ackAll).toBe(true);
	});
});

describe("who calls send", () => {
	/** `x.send(` and `x.sendBatch(` calls: the receiver's name and the line. */
	const sendCalls = (text: string) =>
		[...text.matchAll(/([\w$]+)\s*\??\.\s*send(?:Batch)?\s*\(/g)].map((m) => ({
			receiver: m[1] ?? "",
			line: text.slice(0, m.index).split("\n").length,
		}));
	/** The names a file imports src/queues modules under (`import * as X from ".../queues/..."`). */
	const queueModules = (text: string) =>
		new Set(
			[...text.matchAll(/import \* as (\w+) from "[./]*\/queues\/[\w-]+"/g)].map((m) => m[1]),
		);

	it("reads the sources", () => {
		expect(Object.keys(SOURCES).length).toBeGreaterThan(100);
		expect(Object.keys(SOURCES)).toContain("../../src/queues/webhook-deliveries.ts");
	});

	it("is src/queues only: elsewhere a send goes through a queue module", () => {
		const offenders: string[] = [];
		for (const [path, text] of Object.entries(SOURCES)) {
			if (path.startsWith("../../src/queues/")) continue;
			const allowed = queueModules(text);
			for (const call of sendCalls(text)) {
				// The clients' own HTTP helper (`this.send(method, path)`), not a queue.
				if (call.receiver === "this" && path.startsWith("../../src/client/")) continue;
				if (!allowed.has(call.receiver)) offenders.push(`${path}:${call.line} ${call.receiver}`);
			}
		}
		expect(offenders).toEqual([]);
	});

	it("would catch a binding's send outside src/queues", () => {
		const text =
			"await env.WEBHOOK_DELIVERIES.send(m);\nawait queue\n\t.sendBatch(ms);\nawait q?.send(x);";
		expect(sendCalls(text)).toEqual([
			{ receiver: "WEBHOOK_DELIVERIES", line: 1 },
			{ receiver: "queue", line: 2 },
			{ receiver: "q", line: 4 },
		]);
	});
});
