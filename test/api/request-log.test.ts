/**
 * Structured logs (src/lib/log.ts): one JSON line per request with its id
 * (also answered as X-Request-Id), the route pattern, status, duration, the
 * link and command ids and the DO calls; one per queue batch; and one per
 * command step and final status. The log-secrecy check (test/setup) runs over
 * all of them.
 */
import { describe, expect, it } from "vitest";
import { bearer, call, createLink, createOwner, issue, waitForCommand } from "../helpers";
import { capturedLogs } from "../log-secrets";

type Line = Record<string, unknown>;

/** The JSON log lines with `event` written since `from` (an index into the capture). */
function events(from: number, event: string): Line[] {
	return capturedLogs()
		.lines.slice(from)
		.flatMap((text) => {
			try {
				const parsed = JSON.parse(text) as Line;
				return parsed.event === event ? [parsed] : [];
			} catch {
				return [];
			}
		});
}

describe("request log lines", () => {
	it("one line per request: id (= X-Request-Id), method, route pattern, status, duration, link id, DO calls", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey, { title: "Logged" });
		const from = capturedLogs().lines.length;
		const res = await call(`/api/links/${link.id}`, { headers: bearer(apiKey) });
		expect(res.status).toBe(200);
		const requestId = res.headers.get("x-request-id");
		expect(requestId).toMatch(/^[0-9a-f]{32}$/);
		const lines = events(from, "request");
		expect(lines).toHaveLength(1);
		expect(lines[0]).toMatchObject({
			level: "info",
			event: "request",
			requestId,
			method: "GET",
			route: "/api/links/:linkId",
			status: 200,
			linkId: link.id,
			doCalls: 1,
		});
		expect(lines[0]?.durationMs).toEqual(expect.any(Number));
	});

	it("a route parameter that is not an id of its kind is left out (a path is the client's text)", async () => {
		const from = capturedLogs().lines.length;
		const pasted = "cmd_mpejs2jsnhnsdt813eddh7dzjw43xrxcvxnnjcm"; // 43 characters, secret-shaped
		const res = await call(`/r/${pasted}/tus/`, { method: "POST" });
		expect(res.status).toBeGreaterThanOrEqual(400);
		const [line] = events(from, "request");
		expect(line).toMatchObject({
			route: expect.stringContaining("/r/:linkId/tus"),
			status: res.status,
		});
		expect(line).not.toHaveProperty("linkId");
		expect(capturedLogs().lines.slice(from).join("\n")).not.toContain(pasted);
	});

	it("each request gets its own id; problems and pages are logged too", async () => {
		const from = capturedLogs().lines.length;
		const a = await call("/api/links/lnk_nope");
		const b = await call("/", { headers: { Accept: "text/html" } });
		expect(a.status).toBe(401);
		expect(b.status).toBe(200);
		const ids = [a.headers.get("x-request-id"), b.headers.get("x-request-id")];
		expect(new Set(ids).size).toBe(2);
		const lines = events(from, "request");
		expect(lines.map((l) => [l.requestId, l.status, l.route])).toEqual([
			[ids[0], 401, expect.any(String)],
			[ids[1], 200, "/"],
		]);
	});

	it("a 202 names its command; the queue batch and the command's steps and final status are logged", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey, { title: "Revoked while logged" });
		const from = capturedLogs().lines.length;
		const res = await issue("revoke", link.id, apiKey);
		expect(res.status).toBe(202);
		const { command } = (await res.json()) as { command: { id: string } };
		await waitForCommand(command.id);
		expect(events(from, "request")[0]).toMatchObject({
			route: "/api/links/:linkId/revoke",
			status: 202,
			linkId: link.id,
			commandId: command.id,
		});
		expect(events(from, "command.applied")).toContainEqual(
			expect.objectContaining({ linkId: link.id, commandId: command.id, kind: "revoke" }),
		);
		const steps = events(from, "command.step").filter((l) => l.commandId === command.id);
		expect(steps.length).toBeGreaterThan(0);
		expect(events(from, "command.final")).toContainEqual(
			expect.objectContaining({ commandId: command.id, status: "succeeded" }),
		);
		const batches = events(from, "queue.batch").filter((l) => l.queue === "link-commands");
		expect(batches.length).toBeGreaterThan(0);
		expect(batches[0]).toMatchObject({ messages: expect.any(Number), acked: expect.any(Number) });
	});
});
