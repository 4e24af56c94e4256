/**
 * The admin console's server-side rules (docs/web.md): only an admin
 * session opens it (an owner's session or key does not); its cookie's flags;
 * a replay or discard that is not a same-origin form is refused and changes
 * nothing; a new or rotated owner key is shown in the POST's answer and on
 * no later page; a handled dead letter answers in words; the live status
 * JSON the badges poll.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import * as DeadLettersTable from "../../src/d1/dead-letters";
import {
	bearer,
	call,
	createLink,
	createOwner,
	issue,
	ORIGIN,
	readCommand,
	setFaults,
	sleep,
	waitForCommand,
} from "../helpers";
import { adminClient } from "../owner-client";

const HTML = { Accept: "text/html" };
const FORM = { "Content-Type": "application/x-www-form-urlencoded" };

/** Signs in through the form; answers the cookie pair (`name=value`), the whole header and the response. */
async function signIn(path: "/app" | "/admin", credential: string) {
	const res = await call(`${path}/sign-in`, {
		method: "POST",
		headers: { Origin: ORIGIN, ...FORM },
		body: new URLSearchParams({ credential }),
		redirect: "manual",
	});
	const header = res.headers.get("set-cookie");
	await res.body?.cancel();
	return { res, header, cookie: header ? (header.split(";")[0] ?? "") : "" };
}

const adminCookie = async () => (await signIn("/admin", "test-admin-token")).cookie;

const page = (path: string, cookie: string) =>
	call(path, { headers: { Cookie: cookie, ...HTML }, redirect: "manual" });

/** A same-origin form POST from a console page (what a browser sends). */
const post = (path: string, cookie: string, form: Record<string, string> = {}, origin = ORIGIN) =>
	call(path, {
		method: "POST",
		headers: { Cookie: cookie, Origin: origin, ...FORM },
		body: new URLSearchParams(form),
		redirect: "manual",
	});

/** A link whose revoke fails every retry until the queue dead-letters it. */
async function deadLetter() {
	const { apiKey } = await createOwner();
	const { link } = await createLink(apiKey);
	await setFaults(link.id, { failStep: { "cleanup-uploads": 1_000 } });
	const res = await issue("revoke", link.id, apiKey);
	const { command } = (await res.json()) as { command: { id: string } };
	const deadline = Date.now() + 10_000;
	for (;;) {
		const { items } = await adminClient().listDeadLetters({ linkId: link.id, status: "pending" });
		if (items[0]) return { linkId: link.id, commandId: command.id, id: items[0].id };
		if (Date.now() > deadline) throw new Error("no dead letter");
		await sleep(50);
	}
}

describe("who opens the console", () => {
	it("an owner's session does not open /admin, and an owner's key does not sign in to it", async () => {
		const { apiKey } = await createOwner();
		const owner = await signIn("/app", apiKey);
		expect(owner.res.status).toBe(303);
		expect(owner.cookie).toMatch(/^__Host-rl-app=/);
		for (const path of ["/admin", "/admin/dead-letters", "/admin/owners"]) {
			const res = await page(path, owner.cookie);
			expect(res.status, path).toBe(303);
			expect(res.headers.get("location")).toBe(`/admin/sign-in?next=${encodeURIComponent(path)}`);
		}
		const refused = await signIn("/admin", apiKey);
		expect(refused.res.status).toBe(401);
		expect(refused.header).toBeNull();

		const admin = await adminCookie();
		const res = await page("/admin", admin);
		expect(res.status).toBe(200);
		expect(await res.text()).toContain("<h1>Admin console</h1>");
	});

	it("the admin session cookie is __Host-, HttpOnly, Secure, SameSite=Strict, for the whole site, expiring", async () => {
		const { res, header } = await signIn("/admin", "test-admin-token");
		expect(res.status).toBe(303);
		expect(res.headers.get("location")).toBe("/admin");
		const attrs = (header ?? "").split(/;\s*/).map((a) => a.toLowerCase());
		expect(attrs[0]).toMatch(/^__host-rl-admin=[a-z0-9_-]{20,}$/);
		expect(attrs).toContain("httponly");
		expect(attrs).toContain("secure");
		expect(attrs).toContain("samesite=strict");
		expect(attrs).toContain("path=/");
		expect(attrs.some((a) => /^max-age=\d+$/.test(a))).toBe(true);
		expect(attrs.some((a) => a.startsWith("domain="))).toBe(false);
	});
});

describe("dead-letter actions", () => {
	it("a cross-origin or non-form replay or discard is refused (403) and changes nothing; a same-origin form works", async () => {
		const dl = await deadLetter();
		const cookie = await adminCookie();
		const attempts = [
			post(`/admin/dead-letters/${dl.id}/replay`, cookie, {}, "https://evil.example"),
			post(`/admin/dead-letters/${dl.id}/discard`, cookie, {}, "https://evil.example"),
			call(`/admin/dead-letters/${dl.id}/replay`, {
				method: "POST",
				headers: { Cookie: cookie, Origin: ORIGIN, "Content-Type": "application/json" },
				body: "{}",
			}),
		];
		for (const res of await Promise.all(attempts)) {
			expect(res.status).toBe(403);
			expect(await res.text()).toContain("This form was not sent from this site");
		}
		expect((await adminClient().getDeadLetter(dl.id)).deadLetter.status).toBe("pending");
		expect((await readCommand(dl.commandId)).status).toBe("dead_lettered");

		await setFaults(dl.linkId, {});
		const replay = await post(`/admin/dead-letters/${dl.id}/replay`, cookie);
		expect(replay.status).toBe(303);
		expect(replay.headers.get("location")).toBe(`/admin/dead-letters/${dl.id}?done=replayed`);
		expect((await waitForCommand(dl.commandId)).status).toBe("succeeded");
		expect((await adminClient().getDeadLetter(dl.id)).deadLetter.status).toBe("replayed");
	});

	it("a handled dead letter says so in words and offers no action; discard asks first", async () => {
		const dl = await deadLetter();
		const cookie = await adminCookie();
		const detail = await (await page(`/admin/dead-letters/${dl.id}`, cookie)).text();
		expect(detail).toContain(`action="/admin/dead-letters/${dl.id}/replay"`);
		expect(detail).toContain(`href="/admin/dead-letters/${dl.id}/discard"`);
		// The discard link is a confirmation page, which changes nothing.
		const confirm = await page(`/admin/dead-letters/${dl.id}/discard`, cookie);
		expect(await confirm.text()).toContain("Discard this dead letter?");
		expect((await readCommand(dl.commandId)).status).toBe("dead_lettered");

		const discard = await post(`/admin/dead-letters/${dl.id}/discard`, cookie);
		expect(discard.status).toBe(303);
		expect((await readCommand(dl.commandId)).status).toBe("cancelled");
		const again = await post(`/admin/dead-letters/${dl.id}/replay`, cookie);
		expect(again.status).toBe(409);
		const html = await again.text();
		expect(html).toContain("This dead letter was already replayed or discarded.");
		expect(html).not.toContain(`action="/admin/dead-letters/${dl.id}/replay"`);
		expect(html).not.toContain('"code"');
		const after = await (await page(`/admin/dead-letters/${dl.id}`, cookie)).text();
		expect(after).toContain("This dead letter was discarded on");
		expect(after).not.toContain(`/admin/dead-letters/${dl.id}/discard"`);
	});

	it("an unreadable message is shown escaped, as invalid, with why there is nothing to do", async () => {
		const hostile = "</pre><script>alert(1)</script>";
		await DeadLettersTable.recordInvalid(env.DB, {
			messageId: "msg-hostile",
			queue: "link-commands",
			body: { v: 9, note: hostile },
			attempts: 1,
			error: '<img src=x onerror="alert(2)">',
		});
		const { items } = await adminClient().listDeadLetters({ status: "invalid" });
		const dl = items.find((d) => d.messageId === "msg-hostile");
		expect(dl).toBeDefined();
		const cookie = await adminCookie();
		const list = await (await page("/admin/dead-letters?status=invalid", cookie)).text();
		expect(list).toContain(`data-dead-letter="${dl?.id}"`);
		const html = await (await page(`/admin/dead-letters/${dl?.id}`, cookie)).text();
		expect(html).not.toContain("<script>alert");
		expect(html).not.toContain("<img src=x");
		expect(html).toContain("&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
		expect(html).toContain("not a command the service can read");
		expect(html).not.toContain("/replay");
	});

	it("the live status JSON: status, label, final and reason; unknown commands are a JSON 404", async () => {
		const dl = await deadLetter();
		const cookie = await adminCookie();
		const res = await call(`/admin/commands/${dl.commandId}/status.json`, {
			headers: { Cookie: cookie },
		});
		expect(res.status).toBe(200);
		const body = (await res.json()) as Record<string, unknown>;
		expect(body).toMatchObject({ status: "dead_lettered", label: "dead-lettered", final: true });
		expect(body.reason).toContain("injected failure in step cleanup-uploads");
		const missing = await call("/admin/commands/cmd_nope/status.json", {
			headers: { Cookie: cookie },
		});
		expect(missing.status).toBe(404);
		expect(missing.headers.get("content-type")).toMatch(/^application\/json/);
		await missing.body?.cancel();
	});
});

describe("owner keys are shown once", () => {
	it("the creation answer shows the key; no later page does; rotation shows the new one once and ends the old", async () => {
		const cookie = await adminCookie();
		const created = await post("/admin/owners", cookie, {
			name: "Kay Once",
			email: "kay@example.com",
		});
		expect(created.status).toBe(201);
		expect(created.headers.get("cache-control")).toBe("no-store");
		const html = await created.text();
		const key = /value="(rlk_[A-Za-z0-9_-]+)"/.exec(html)?.[1] ?? "";
		expect(key).not.toBe("");
		expect(html).toContain("this is the only time it is shown");
		expect((await call("/api/links", { headers: bearer(key) })).status).toBe(200);

		const ownerId = /href="\/admin\/owners\/(own_[a-z0-9]+)"/.exec(html)?.[1] ?? "";
		for (const path of ["/admin/owners", `/admin/owners/${ownerId}`, "/admin"]) {
			const later = await (await page(path, cookie)).text();
			expect(later, path).not.toContain(key);
		}
		expect(await (await page("/admin/owners", cookie)).text()).toContain(`${key.slice(0, 8)}…`);

		const rotated = await post(`/admin/owners/${ownerId}/rotate`, cookie);
		expect(rotated.status).toBe(201);
		const newKey = /value="(rlk_[A-Za-z0-9_-]+)"/.exec(await rotated.text())?.[1] ?? "";
		expect(newKey).not.toBe("");
		expect(newKey).not.toBe(key);
		expect((await call("/api/links", { headers: bearer(key) })).status).toBe(401);
		expect((await call("/api/links", { headers: bearer(newKey) })).status).toBe(200);
		expect(await (await page(`/admin/owners/${ownerId}`, cookie)).text()).not.toContain(newKey);
	});

	it("a refused creation keeps the values and names the field, and creates nobody", async () => {
		const cookie = await adminCookie();
		const res = await post("/admin/owners", cookie, { name: "No Mail", email: "not-an-email" });
		expect(res.status).toBe(400);
		const html = await res.text();
		expect(html).toContain("Enter an e-mail address such as ann@example.com.");
		expect(html).toContain('value="No Mail"');
		expect(html).not.toMatch(/rlk_[A-Za-z0-9_-]{20,}/);
		const owners = await adminClient().all((p) => adminClient().listOwners(p));
		expect(owners.some((o) => o.name === "No Mail")).toBe(false);
	});
});
