/**
 * The `receive-links` CLI end to end (issue 14): the real command, run as a
 * child process, against the running service (wrangler dev). This file: the
 * exit codes and outputs of every command, `--json` output, the owner's
 * commands (links, files, downloads byte-identical). cli-upload.e2e.ts: the
 * upload's resume, revoke, pause, lost connection and the terminal bars.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { type OwnerClient, parseUploadUrl } from "../../src/client/index.ts";
import { cli, ROOT, tempDir } from "./cli-helpers.ts";
import { bytes, MiB, service, sha256 } from "./helpers.ts";

let env: Record<string, string>;
let api: OwnerClient;

beforeAll(async () => {
	const { base, admin } = service();
	const created = await admin.createOwner("CLI owner", "cli-owner@example.test");
	api = admin.as({ apiKey: created.apiKey });
	env = {
		RECEIVE_LINKS_URL: base,
		RECEIVE_LINKS_API_KEY: created.apiKey,
		XDG_STATE_HOME: tempDir("cli-state-"),
	};
});

/** Writes `files` (name -> bytes) into a new folder; answers the folder. */
function folder(files: Record<string, Buffer>): string {
	const dir = tempDir("cli-src-");
	for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
	return dir;
}

describe("receive-links: usage", () => {
	it("runs from the clone with npx, and --help and --version exit 0", () => {
		const r = spawnSync("npx", ["receive-links", "--help"], { cwd: ROOT, encoding: "utf8" });
		expect(r.status).toBe(0);
		expect(r.stdout).toContain("Usage: receive-links");
		for (const command of ["upload", "links", "files"]) expect(r.stdout).toContain(command);
	});

	it("exits 2 on usage errors, with the reason", async () => {
		const unknown = await cli(["bogus"]);
		expect(unknown.code).toBe(2);
		expect(unknown.stderr).toContain("unknown command 'bogus'");

		const noSecret = await cli(["upload", "http://127.0.0.1:1/r/lnk_x", "package.json"]);
		expect(noSecret.code).toBe(2);
		expect(noSecret.stderr).toContain("Not an upload URL");

		const missing = await cli(["upload", "http://127.0.0.1:1/r/lnk_x#s", "/nonexistent/file"]);
		expect(missing.code).toBe(2);
		expect(missing.stderr).toContain("no such file or folder: /nonexistent/file");

		const noKey = await cli(["links", "list"]);
		expect(noKey.code).toBe(2);
		expect(noKey.stderr).toContain("RECEIVE_LINKS_API_KEY");
	});

	it("a wrong API key exits 2 with the service's words", async () => {
		const r = await cli(["links", "list"], { ...env, RECEIVE_LINKS_API_KEY: "rl_wrong" });
		expect(r.code).toBe(2);
		expect(r.stderr).toMatch(/401 unauthorized.*check the API key/);
	});
});

describe("receive-links: owner commands", () => {
	it("links create prints the upload URL; list, show and --json agree", async () => {
		const created = await cli(
			["links", "create", "--title", "Tax papers", "--max-files", "3", "--extensions", "pdf,txt"],
			env,
		);
		expect(created.code, created.stderr).toBe(0);
		const uploadUrl = created.stdout.trim();
		const { linkId } = parseUploadUrl(uploadUrl);
		expect(created.stderr).toContain(`created link ${linkId} (Tax papers)`);

		const list = await cli(["links", "list"], env);
		expect(list.code).toBe(0);
		expect(list.stdout).toMatch(/^ID\s+STATE\s+FILES\s+SIZE\s+CREATED\s+TITLE/);
		expect(list.stdout).toMatch(new RegExp(`${linkId}\\s+active\\s+0\\s+0 B .*Tax papers`));

		const json = await cli(["links", "list", "--json"], env);
		const items = (JSON.parse(json.stdout) as { items: { id: string; title: string }[] }).items;
		expect(items.find((l) => l.id === linkId)?.title).toBe("Tax papers");

		const show = await cli(["links", "show", linkId], env);
		expect(show.code).toBe(0);
		expect(show.stdout).toContain("title:            Tax papers");
		expect(show.stdout).toContain("max files:        3");
		expect(show.stdout).toContain("types:            pdf, txt");
		const showJson = JSON.parse((await cli(["links", "show", linkId, "--json"], env)).stdout);
		expect(showJson.link.settings.allowedExtensions).toEqual(["pdf", "txt"]);

		const url = await cli(["links", "url", linkId], env);
		expect(url.stdout.trim()).toBe(uploadUrl);

		const { RECEIVE_LINKS_API_KEY: _, ...noKey } = env;
		const asAdmin = await cli(["links", "show", linkId, "--json"], {
			...noKey,
			RECEIVE_LINKS_ADMIN_TOKEN: inject("e2eAdminToken"),
		});
		expect(JSON.parse(asAdmin.stdout).link.id, asAdmin.stderr).toBe(linkId);

		const unknown = await cli(["links", "show", "lnk_unknown"], env);
		expect(unknown.code).toBe(4);
		expect(unknown.stderr).toContain("404 link-not-found");

		const badSize = await cli(["links", "create", "--max-file-size", "lots"], env);
		expect(badSize.code).toBe(2);
		expect(badSize.stderr).toContain("not a size: lots");
	});

	it("pause and resume answer the new state; revoke --wait and delete --wait the final status", async () => {
		const { link } = await api.createLink({ title: "Lifecycle" });
		const paused = await cli(["links", "pause", link.id], env);
		expect([paused.code, paused.stdout.trim()]).toEqual([0, `link ${link.id}: paused`]);
		const resumed = await cli(["links", "resume", link.id, "--json"], env);
		expect(JSON.parse(resumed.stdout).link.state).toBe("active");

		const revoked = await cli(["links", "revoke", link.id, "--wait"], env);
		expect(revoked.code, revoked.stderr).toBe(0);
		expect(revoked.stdout).toMatch(new RegExp(`^link ${link.id}: revoke succeeded`));
		expect((await api.getLink(link.id)).link.state).toBe("revoked");

		const again = await cli(["links", "pause", link.id], env);
		expect(again.code).toBe(3);
		expect(again.stderr).toContain("This link was revoked");

		const deleted = await cli(["links", "delete", link.id, "--wait", "--json"], env);
		expect(deleted.code, deleted.stderr).toBe(0);
		expect(JSON.parse(deleted.stdout).command).toMatchObject({
			kind: "delete",
			status: "succeeded",
		});
	});

	it("files list and download --all fetch every file byte for byte, never over an existing file", async () => {
		const { link, uploadUrl } = await api.createLink({ title: "Downloads" });
		const a = bytes(9 * MiB + 5);
		const b = bytes(1000);
		const src = folder({ "report.pdf": a, "notes.txt": b });
		const up = await cli(["upload", uploadUrl, src, "--wait", "--json"], env);
		expect(up.code, up.stderr).toBe(0);
		const summary = JSON.parse(up.stdout.trim().split("\n").pop() ?? "{}");
		expect(summary).toMatchObject({ event: "summary", files: 2, done: 2, failed: 0, exitCode: 0 });

		const list = await cli(["files", "list", link.id], env);
		expect(list.code).toBe(0);
		// The CLI names a folder's files <folder>/<path>; the service keeps the last part.
		expect(list.stdout).toMatch(/ report\.pdf\n/);
		expect(list.stdout).toMatch(/9\.0 MiB\s+application\/pdf/);

		const out = tempDir("cli-out-");
		writeFileSync(join(out, "notes.txt"), "already here");
		const dl = await cli(["files", "download", link.id, "--all", "--out", out], env);
		expect(dl.code, dl.stderr).toBe(0);
		expect(readdirSync(out).sort()).toEqual(["notes (2).txt", "notes.txt", "report.pdf"]);
		expect(readFileSync(join(out, "notes.txt"), "utf8")).toBe("already here");
		expect(sha256(readFileSync(join(out, "notes (2).txt")))).toBe(sha256(b));
		expect(sha256(readFileSync(join(out, "report.pdf")))).toBe(sha256(a));

		const files = (await api.listFiles(link.id)).items;
		const one = files.find((f) => f.size === b.length);
		const out2 = tempDir("cli-out-");
		const byId = await cli(
			["files", "download", link.id, String(one?.id), "--out", out2, "--json"],
			env,
		);
		expect(JSON.parse(byId.stdout).files).toMatchObject([{ id: one?.id, bytes: b.length }]);

		const none = await cli(["files", "download", link.id], env);
		expect(none.code).toBe(2);
		const wrong = await cli(["files", "download", link.id, "fil_nope"], env);
		expect(wrong.code).toBe(4);
		expect(wrong.stderr).toContain("no such file in link");
	});
});

describe("receive-links upload: refusals", () => {
	it("a refused file gets the problem's words and exit 4; the other files go through", async () => {
		const { link, uploadUrl } = await api.createLink({
			title: "Picky",
			allowedExtensions: ["txt"],
		});
		const src = folder({ "a.txt": bytes(10), "b.exe": bytes(10) });
		const r = await cli(["upload", uploadUrl, join(src, "a.txt"), join(src, "b.exe")], env);
		expect(r.code).toBe(4);
		expect(r.stderr).toMatch(
			/b\.exe: This link does not accept this file type.*\(415 file-type-not-allowed\)/,
		);
		expect(r.stdout).toContain("1 of 2 files uploaded, 1 failed");
		expect((await api.listUploads(link.id)).items.map((u) => u.name)).toEqual(["a.txt"]);
	});

	it("a wrong password stops the run with exit 4; the right one uploads", async () => {
		const { uploadUrl } = await api.createLink({ title: "Locked", password: "correct horse" });
		const src = folder({ "a.txt": bytes(10) });
		const wrong = await cli(["upload", uploadUrl, src, "--password", "nope nope", "--json"], env);
		expect(wrong.code).toBe(4);
		const last = JSON.parse(wrong.stdout.trim().split("\n").pop() ?? "{}");
		expect(last.stopped.problem).toMatchObject({ status: 403, code: "password-incorrect" });
		const none = await cli(["upload", uploadUrl, src], env);
		expect(none.code).toBe(4);
		expect(none.stderr).toContain("password-required");
		const right = await cli(
			["upload", uploadUrl, src, "--password", "correct horse", "--wait"],
			env,
		);
		expect(right.code, right.stderr).toBe(0);
		expect(right.stdout).toMatch(/a\.txt: finalized as file fil_/);
	});
});
