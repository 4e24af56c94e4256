/**
 * `receive-links upload` end to end (issue 14): an upload interrupted with
 * Ctrl-C after two of four parts resumes on a rerun, sending only the parts
 * the service lacks, to a byte-identical file; a revoke during an upload
 * exits 3 with the problem's words; a paused link shows the wait and goes on
 * after resume; a dropped connection is retried, and once the retries are
 * spent the exit says a rerun resumes; the progress bars as a terminal shows
 * them (tmux). A gating proxy holds the chosen part, so nothing is timed.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OwnerClient } from "../../src/client/index.ts";
import {
	CLI,
	cli,
	type GateProxy,
	gateProxy,
	ROOT,
	startCli,
	tempDir,
	through,
} from "./cli-helpers.ts";
import { bytes, cuttingProxy, MiB, PART_SIZE, service, sha256 } from "./helpers.ts";

let env: Record<string, string>;
let api: OwnerClient;
let gate: GateProxy;

beforeAll(async () => {
	const { base, admin } = service();
	const created = await admin.createOwner("CLI uploader", "cli-uploader@example.test");
	api = admin.as({ apiKey: created.apiKey });
	env = { XDG_STATE_HOME: tempDir("cli-state-") };
	gate = await gateProxy(base);
});
afterAll(async () => {
	await gate.close();
});

function source(name: string, data: Buffer): string {
	const path = join(tempDir("cli-src-"), name);
	writeFileSync(path, data);
	return path;
}

const isPart = (n: number) => (method: string, path: string) =>
	method === "PUT" && path.endsWith(`/parts/${n}`);

/** The one file of the link, downloaded by the owner: its sha256. */
async function downloadedSha(linkId: string): Promise<string> {
	const files = (await api.listFiles(linkId)).items;
	expect(files).toHaveLength(1);
	const res = await api.downloadFileResponse(files[0]?.id ?? "");
	return sha256(new Uint8Array(await res.arrayBuffer()));
}

describe("receive-links upload: small files", () => {
	it("a file up to one part size goes in one request (POST /files), Ctrl-C before it lands and the rerun stores it once", async () => {
		const { link, uploadUrl } = await api.createLink({ title: "Small" });
		const data = bytes(PART_SIZE);
		const file = source("small.bin", data);
		const isSmall = (method: string, path: string) => method === "POST" && path.endsWith("/files");
		const url = through(gate.base, uploadUrl);
		const held = gate.hold(isSmall);
		const first = startCli(["upload", url, file, "--wait"], env);
		await held; // the one request, held before it reaches the service
		first.child.kill("SIGINT");
		expect((await first.done).code).toBe(130);
		const again = gate.hold(isSmall);
		const rerun = startCli(["upload", url, file, "--wait"], env);
		(await again).release();
		const r = await rerun.done;
		expect(r.code, r.stderr).toBe(0);
		expect(r.stdout).toMatch(/small\.bin: finalized as file fil_/);
		expect(await downloadedSha(link.id)).toBe(sha256(data));
		expect((await api.listUploads(link.id)).items).toHaveLength(1);
	});
});

describe("receive-links upload: interruptions", () => {
	it("Ctrl-C after two of four parts exits 130; the rerun sends parts 3 and 4 only, byte-identical", async () => {
		const { link, uploadUrl } = await api.createLink({ title: "Resume" });
		const data = bytes(3 * PART_SIZE + MiB);
		const file = source("big.bin", data);
		const state = join(tempDir("cli-state-"), "upload.json");
		const url = through(gate.base, uploadUrl);
		const args = ["upload", url, file, "--state", state, "--concurrency", "1"];

		const held = gate.hold(isPart(3));
		const first = startCli(args, env);
		await held; // parts 1 and 2 are recorded; part 3 waits at the proxy
		first.child.kill("SIGINT");
		const stopped = await first.done;
		expect(stopped.code, stopped.stderr).toBe(130);
		expect(stopped.stderr).toContain("stopped: interrupted");
		expect(stopped.stderr).toContain(`rerun the same command to resume (state kept in ${state})`);
		expect(statSync(state).mode & 0o777).toBe(0o600);
		const saved = JSON.parse(readFileSync(state, "utf8"));
		const uploadId = saved.files[file].session.uploadId as string;
		const ledger = (await api.listUploads(link.id)).items;
		expect(ledger.map((u) => [u.id, u.parts.map((p) => p.partNumber)])).toEqual([
			[uploadId, [1, 2]],
		]);

		const second = await cli([...args, "--json", "--wait"], env);
		expect(second.code, second.stderr).toBe(0);
		const events = second.stdout
			.trim()
			.split("\n")
			.map((l) => JSON.parse(l));
		expect(events.find((e) => e.event === "file-start")).toMatchObject({
			uploadId,
			resumed: true,
			partCount: 4,
			partsStored: [1, 2],
			bytesStored: 2 * PART_SIZE,
		});
		const doneEvent = events.find((e) => e.event === "file-done");
		expect(doneEvent).toMatchObject({ uploadId, resumed: true, command: { status: "succeeded" } });
		expect([...doneEvent.partsSent].sort()).toEqual([3, 4]);
		expect(events.filter((e) => e.event === "part").map((e) => e.partNumber)).toEqual([3, 4]);
		expect(existsSync(state), "the state file is removed once done").toBe(false);
		expect((await api.listUploads(link.id)).items.map((u) => u.id)).toEqual([uploadId]);
		expect(await downloadedSha(link.id)).toBe(sha256(data));
	});

	it("a revoke during the upload exits 3 with the problem's words", async () => {
		const { link, uploadUrl } = await api.createLink({ title: "Revoked midway" });
		const file = source("doomed.bin", bytes(2 * PART_SIZE + 10));
		const held = gate.hold(isPart(2));
		const run = startCli(
			["upload", through(gate.base, uploadUrl), file, "--concurrency", "1"],
			env,
		);
		const part2 = await held;
		const revoke = await api.revoke(link.id);
		expect((await api.waitForCommand(revoke.command.id)).status).toBe("succeeded");
		part2.release();
		const r = await run.done;
		expect(r.code).toBe(3);
		expect(r.stderr).toMatch(/stopped: This link was revoked.*\(410 link-revoked\)/);
		expect(r.stderr).not.toContain("rerun the same command");
	});

	it("a paused link shows that it waits, and the upload completes after resume", async () => {
		const { link, uploadUrl } = await api.createLink({ title: "Paused" });
		await api.pause(link.id);
		const run = startCli(["upload", uploadUrl, source("later.txt", bytes(100)), "--wait"], env);
		const line = await run.line((l) => l.includes("waiting"));
		expect(line).toMatch(/^link paused - waiting; retrying in \d+ s \(This link is paused\)$/);
		await api.resume(link.id);
		const r = await run.done;
		expect(r.code, r.stderr).toBe(0);
		expect(r.stdout).toMatch(/later\.txt: finalized as file fil_/);
		expect(r.stdout).toContain("1 of 1 file uploaded");
	});

	it("a dropped connection is retried; with the retries spent it exits 5 and the rerun resumes", async () => {
		const { base } = service();
		const proxy = await cuttingProxy(base);
		try {
			const one = await api.createLink({ title: "Flaky" });
			const file = source("flaky.bin", bytes(2 * MiB));
			void proxy.cutAfter(MiB);
			const r = await cli(["upload", through(proxy.base, one.uploadUrl), file], env);
			expect(r.code, r.stderr).toBe(0);
			expect(r.stderr).toMatch(/connection failed \(.+\); retry 1 in 0.5 s/);
			expect(r.stdout).toContain("1 of 1 file uploaded");

			const two = await api.createLink({ title: "Down" });
			const data2 = bytes(2 * PART_SIZE + 1000);
			const file2 = source("down.bin", data2);
			const args = ["upload", through(proxy.base, two.uploadUrl), file2, "--concurrency", "1"];
			void proxy.cutAfter(PART_SIZE + MiB); // part 1 gets through, part 2 is cut
			const lost = await cli([...args, "--retries", "0"], env);
			expect(lost.code, lost.stdout + lost.stderr).toBe(5);
			expect(lost.stderr).toMatch(
				/stopped: connection to http:\/\/127\.0\.0\.1:\d+ failed 1 times/,
			);
			expect(lost.stderr).toContain("rerun the same command to resume");
			const again = await cli([...args, "--json"], env);
			expect(again.code, again.stderr).toBe(0);
			expect(again.stdout).toContain('"partsStored":[1]');
			expect(again.stdout).toContain('"partsSent":[2,3]');
		} finally {
			await proxy.close();
		}
	});
});

describe("receive-links upload: in a terminal", () => {
	it("draws a bar per file and a total with bytes, rate and ETA, then the summary (tmux)", async () => {
		const { uploadUrl } = await api.createLink({ title: "Bars" });
		const dir = tempDir("cli-src-");
		writeFileSync(join(dir, "holiday-video.mp4"), bytes(2 * PART_SIZE + MiB));
		writeFileSync(join(dir, "notes.txt"), bytes(2000));
		const socket = `cli-e2e-${process.pid}`;
		const tmux = (...args: string[]) =>
			execFileSync("tmux", ["-L", socket, ...args], { encoding: "utf8" });
		const pane = () => tmux("capture-pane", "-p", "-t", "cli");
		// The screen once `test` accepts it (after 60 s without: as it is, for the failure message).
		const until = async (test: (screen: string) => boolean): Promise<string> => {
			const giveUp = Date.now() + 60_000;
			for (;;) {
				const screen = pane();
				if (test(screen) || Date.now() > giveUp) return screen;
				await new Promise((r) => setTimeout(r, 100));
			}
		};
		const command = [
			`cd '${ROOT}' &&`,
			`XDG_STATE_HOME='${env.XDG_STATE_HOME}'`,
			`'${process.execPath}' '${CLI}' upload '${through(gate.base, uploadUrl)}' '${dir}'`,
			"--concurrency 1 --wait; echo EXIT=$?; sleep 600",
		].join(" ");
		const held = gate.hold(isPart(2));
		tmux("new-session", "-d", "-x", "120", "-y", "30", "-s", "cli", command);
		try {
			const part2 = await held;
			// Mid-upload: part 1 of 3 is recorded, part 2 is held at the proxy (with
			// whatever of it the sockets buffered): bytes, a rate and an ETA.
			const midLine =
				/holiday-video\.mp4 +[█░]{20} +(\d+)% \| (\d+\.\d) MiB\/17\.0 MiB \| [\d.]+ [KM]iB\/s \| ETA \d+(s|m\d\ds)/;
			const mid = await until((s) => Number(midLine.exec(s)?.[2] ?? 0) >= 8);
			expect(mid).toMatch(midLine);
			expect(mid).toMatch(/total \(0\/2 files\) +[█░]{20} +\d+% \| \d+\.\d MiB\/17\.0 MiB \| /);
			expect(mid).toMatch(/notes\.txt +░{20} +0% \| - ?\/2\.0 KiB/);
			part2.release();
			const end = await until((s) => s.includes("EXIT="));
			expect(end).toMatch(
				/total \(2\/2 files\) +█{20} 100% \| 17\.0 MiB\/17\.0 MiB \| .+\/s \| ETA 0s/,
			);
			expect(end).toMatch(
				/holiday-video\.mp4 +█{20} 100% \| 17\.0 MiB\/17\.0 MiB .* \| finalized\n/,
			);
			expect(end).toMatch(/notes\.txt +█{20} 100% \| 2\.0 KiB\/2\.0 KiB .* \| finalized\n/);
			expect(end).toMatch(/holiday-video\.mp4: finalized as file fil_/);
			expect(end).toMatch(/2 of 2 files uploaded \(17\.0 MiB in [\d.]+ s\)/);
			expect(end).toContain("EXIT=0");
		} finally {
			tmux("kill-server");
		}
	});
});
