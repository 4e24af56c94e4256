/**
 * `watch()` (src/client/watch.ts), the one status poll of the clients, the
 * uploader page and the live badges, driven by a fake fetch and an injected
 * sleep (no timer runs): the backoff grows to its cap with jitter below it,
 * Retry-After caps the wait while the state moves and floors it after a
 * refusal, the watch stops on a settled state, on 404/410, on its timeout
 * and on abort; failures are thrown or waited out; the typed clients'
 * `waitForCommand` go through it.
 */
import { describe, expect, it } from "vitest";
import {
	backoffMs,
	OwnerClient,
	ReceiveLinkError,
	retryAfterMs,
	UploaderClient,
	watch,
} from "../../src/client";

type State = { status: string };

/** Answers in order (the last one again when they run out); records each request. */
function script(...answers: (Response | Error | (() => Response))[]) {
	const requests: (AbortSignal | undefined)[] = [];
	const request = async (signal?: AbortSignal) => {
		requests.push(signal);
		const next = answers.length > 1 ? answers.shift() : answers[0];
		if (next instanceof Error) throw next;
		return typeof next === "function" ? next() : (next?.clone() as Response);
	};
	return { request, requests };
}

const json = (status: string, headers: Record<string, string> = {}, code = 200) =>
	new Response(JSON.stringify({ status }), {
		status: code,
		headers: { "Content-Type": "application/json", ...headers },
	});

const problem = (code: number, headers: Record<string, string> = {}) =>
	new Response(
		JSON.stringify({ type: "about:blank", title: "x", status: code, code: `c${code}` }),
		{
			status: code,
			headers: { "Content-Type": "application/problem+json", ...headers },
		},
	);

/** A sleep that records each wait and returns at once. */
function sleeper() {
	const waits: number[] = [];
	return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

const read = async (res: Response) => (await res.json()) as State;
const final = (s: State) => s.status === "succeeded";
const noJitter = () => 0;

describe("watch(): the backoff", () => {
	it("doubles from firstMs and stops growing at capMs", async () => {
		const { sleep, waits } = sleeper();
		const { request } = script(...Array(7).fill(json("applying")), json("succeeded"));
		const end = await watch({
			request,
			read,
			done: final,
			backoff: { firstMs: 100, capMs: 1000 },
			sleep,
			random: noJitter,
		});
		expect(end).toEqual({ kind: "done", state: { status: "succeeded" } });
		expect(waits).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
	});

	it("jitter takes up to 20 % off a wait, never adds to it", () => {
		const backoff = { firstMs: 100, capMs: 1000 };
		expect(backoffMs(0, backoff, () => 0)).toBe(100);
		expect(backoffMs(0, backoff, () => 0.999_999)).toBe(80);
		expect(backoffMs(10, backoff, () => 0.5)).toBe(900);
		for (let n = 0; n < 40; n++) {
			const ms = backoffMs(n, backoff);
			expect(ms).toBeGreaterThanOrEqual(Math.min(1000, 100 * 2 ** n) * 0.8 - 1);
			expect(ms).toBeLessThanOrEqual(1000);
		}
	});
});

describe("watch(): Retry-After", () => {
	it("caps the wait while the state moves: never longer than the server's interval", async () => {
		const { sleep, waits } = sleeper();
		const { request } = script(
			...Array(7).fill(json("applying", { "Retry-After": "1" })),
			json("succeeded"),
		);
		await watch({
			request,
			read,
			done: final,
			backoff: { firstMs: 50, capMs: 2000 },
			sleep,
			random: noJitter,
		});
		expect(waits).toEqual([50, 100, 200, 400, 800, 1000, 1000]);
	});

	it("floors the wait after a refusal: never sooner than asked (seconds or an HTTP date)", async () => {
		const { sleep, waits } = sleeper();
		const now = Date.parse("2026-12-03T09:00:00Z");
		const { request } = script(
			problem(503, { "Retry-After": "3" }),
			problem(429, { "Retry-After": "Thu, 03 Dec 2026 09:00:07 GMT" }),
			problem(423),
			json("succeeded"),
		);
		await watch({
			request,
			read,
			done: final,
			failures: "retry",
			backoff: { firstMs: 100, capMs: 1000 },
			sleep,
			random: noJitter,
			now: () => now,
		});
		expect(waits).toEqual([3000, 7000, 400]);
	});

	it("reads delay-seconds and HTTP dates; nothing or nonsense is null", () => {
		const at = Date.parse("2026-12-03T09:00:00Z");
		const with_ = (v: string) => new Response(null, { headers: { "Retry-After": v } });
		expect(retryAfterMs(with_("2"), at)).toBe(2000);
		expect(retryAfterMs(with_("0.5"), at)).toBe(500);
		expect(retryAfterMs(with_("Thu, 03 Dec 2026 09:00:10 GMT"), at)).toBe(10_000);
		expect(retryAfterMs(with_("Thu, 03 Dec 2026 08:00:00 GMT"), at)).toBe(0);
		expect(retryAfterMs(with_("soon"), at)).toBeNull();
		expect(retryAfterMs(new Response(null), at)).toBeNull();
	});

	it("a state only a person moves on (idle) is asked every capMs, whatever Retry-After says", async () => {
		const { sleep, waits } = sleeper();
		const { request } = script(
			json("dead_lettered", { "Retry-After": "1" }),
			json("dead_lettered", { "Retry-After": "1" }),
			json("succeeded"),
		);
		await watch({
			request,
			read,
			done: final,
			idle: (s) => s.status === "dead_lettered",
			backoff: { firstMs: 1000, capMs: 10_000 },
			sleep,
			random: noJitter,
		});
		expect(waits).toEqual([10_000, 10_000]);
	});
});

describe("watch(): when it stops", () => {
	it("on a settled state, telling every state seen in order", async () => {
		const { sleep } = sleeper();
		const seen: string[] = [];
		const { request, requests } = script(json("accepted"), json("applying"), json("succeeded"));
		const end = await watch({
			request,
			read,
			done: final,
			onState: (s) => seen.push(s.status),
			backoff: { firstMs: 1, capMs: 1 },
			sleep,
		});
		expect(end.kind).toBe("done");
		expect(seen).toEqual(["accepted", "applying", "succeeded"]);
		expect(requests).toHaveLength(3);
	});

	it("on 404 and 410 by default, handing back the answer unread; another rule when asked", async () => {
		for (const status of [404, 410]) {
			const { sleep } = sleeper();
			const { request, requests } = script(json("applying"), problem(status), json("succeeded"));
			const end = await watch({
				request,
				read,
				done: final,
				backoff: { firstMs: 1, capMs: 1 },
				sleep,
			});
			expect(end.kind).toBe("gone");
			if (end.kind === "gone") {
				expect(end.response.status).toBe(status);
				expect(((await end.response.json()) as { code: string }).code).toBe(`c${status}`);
			}
			expect(requests).toHaveLength(2);
		}
		const { sleep } = sleeper();
		const { request } = script(problem(401));
		const end = await watch({
			request,
			read,
			done: final,
			gone: (s) => s === 401,
			backoff: { firstMs: 1, capMs: 1 },
			sleep,
		});
		expect(end.kind).toBe("gone");
	});

	it("after timeoutMs, with the last state read", async () => {
		let clock = 0;
		const { request } = script(json("applying"));
		const end = await watch({
			request,
			read,
			done: final,
			backoff: { firstMs: 100, capMs: 1000 },
			timeoutMs: 2500,
			sleep: async (ms) => {
				clock += ms;
			},
			now: () => clock,
			random: noJitter,
		});
		expect(end).toEqual({ kind: "timeout", state: { status: "applying" } });
		expect(clock).toBeGreaterThan(2500 - 1000);
	});

	it("on abort: the request carries the signal, the wait ends, the watch rejects with the reason", async () => {
		const stop = new AbortController();
		const { request, requests } = script(json("applying"));
		const reason = new Error("left the page");
		const pending = watch({
			request,
			read,
			done: final,
			backoff: { firstMs: 60_000, capMs: 60_000 },
			signal: stop.signal,
		});
		await new Promise((r) => setTimeout(r, 10));
		expect(requests).toEqual([stop.signal]);
		stop.abort(reason);
		await expect(pending).rejects.toBe(reason);
		// Aborted before it starts: no request at all.
		const again = script(json("applying"));
		await expect(
			watch({
				request: again.request,
				read,
				done: final,
				backoff: { firstMs: 1, capMs: 1 },
				signal: stop.signal,
			}),
		).rejects.toBe(reason);
		expect(again.requests).toEqual([]);
	});
});

describe("watch(): failures", () => {
	it("thrown by default: a failed answer as its problem, a lost connection as it is", async () => {
		const { sleep } = sleeper();
		const failed = watch({
			request: script(problem(500)).request,
			read,
			done: final,
			backoff: { firstMs: 1, capMs: 1 },
			sleep,
		});
		await expect(failed).rejects.toBeInstanceOf(ReceiveLinkError);
		await expect(failed).rejects.toMatchObject({ status: 500, code: "c500" });
		const lost = new TypeError("fetch failed");
		await expect(
			watch({
				request: script(lost).request,
				read,
				done: final,
				backoff: { firstMs: 1, capMs: 1 },
				sleep,
			}),
		).rejects.toBe(lost);
	});

	it("waited out with failures: 'retry', the backoff growing meanwhile", async () => {
		const { sleep, waits } = sleeper();
		const { request, requests } = script(
			new TypeError("fetch failed"),
			problem(502),
			json("applying"),
			json("succeeded"),
		);
		const end = await watch({
			request,
			read,
			done: final,
			failures: "retry",
			backoff: { firstMs: 100, capMs: 1000 },
			sleep,
			random: noJitter,
		});
		expect(end.kind).toBe("done");
		expect(requests).toHaveLength(4);
		expect(waits).toEqual([100, 200, 400]);
	});
});

describe("the typed clients wait through watch()", () => {
	const command = (status: string, headers: Record<string, string> = {}) =>
		new Response(JSON.stringify({ command: { id: "cmd_x", status } }), {
			headers: { "Content-Type": "application/json", ...headers },
		});

	it("UploaderClient.waitForCommand: quick first polls up to Retry-After; a problem is thrown", async () => {
		const { sleep, waits } = sleeper();
		const answers = script(
			...Array(6).fill(command("applying", { "Retry-After": "1" })),
			command("succeeded"),
		);
		const client = new UploaderClient("https://receive.test/r/lnk_x#secret", {
			fetch: () => answers.request(),
			sleep,
		});
		expect((await client.waitForCommand("cmd_x", "rt")).status).toBe("succeeded");
		expect(waits).toHaveLength(6);
		expect(waits[0]).toBeLessThanOrEqual(50);
		expect(Math.max(...waits)).toBeLessThanOrEqual(1000);
		const gone = new UploaderClient("https://receive.test/r/lnk_x#secret", {
			fetch: () => script(problem(404)).request(),
			sleep,
		});
		await expect(gone.waitForCommand("cmd_x", "rt")).rejects.toMatchObject({ code: "c404" });
	});

	it("OwnerClient.waitForCommand: stops at the statuses asked for, gives up after timeoutMs, honours a signal", async () => {
		const { sleep, waits } = sleeper();
		const answers = script(command("accepted"), command("applying"), command("succeeded"));
		const client = new OwnerClient("https://receive.test", {
			adminToken: "t",
			fetch: () => answers.request(),
			sleep,
		});
		const applying = await client.waitForCommand("cmd_x", { statuses: ["applying"], pollMs: 50 });
		expect(applying.status).toBe("applying");
		expect(waits).toHaveLength(1);
		expect(waits[0]).toBeLessThanOrEqual(50);

		const stuck = new OwnerClient("https://receive.test", {
			adminToken: "t",
			fetch: () => script(command("applying")).request(),
			sleep: () => new Promise((r) => setTimeout(r, 5)),
		});
		await expect(stuck.waitForCommand("cmd_x", { timeoutMs: 20, pollMs: 5 })).rejects.toThrow(
			/stuck in applying/,
		);

		const stop = new AbortController();
		const signals: (AbortSignal | null | undefined)[] = [];
		const watched = new OwnerClient("https://receive.test", {
			adminToken: "t",
			fetch: async (_url, init) => {
				signals.push(init?.signal);
				return command("applying");
			},
		});
		const pending = watched.waitForCommand("cmd_x", { signal: stop.signal, pollMs: 10_000 });
		await new Promise((r) => setTimeout(r, 10));
		stop.abort(new Error("Ctrl-C"));
		await expect(pending).rejects.toThrow("Ctrl-C");
		expect(signals).toEqual([stop.signal]);
	});
});
