import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signRetryToken, verifyRetryToken } from "../../src/lib/retry-token";
import {
	bearer,
	bodyOf,
	type CommandBody,
	call,
	callLink,
	createLink,
	createOwner,
	expectProblem,
	fireTimers,
	issue,
	type LinkBody,
	readLink,
	sendJson,
	storedEpoch,
	waitForCommand,
} from "../helpers";

describe("expiry", () => {
	it("the expiry alarm issues a system expire command through the queue", async () => {
		const { apiKey } = await createOwner();
		const expiresAt = new Date(Date.now() + 400).toISOString();
		const { link, uploadUrl } = await createLink(apiKey, { expiresAt });
		await new Promise((r) => setTimeout(r, 450));
		await fireTimers(link.id, ["expire"]);
		const history = await bodyOf<{ items: CommandBody[] }>(
			await call(`/api/links/${link.id}/commands`, { headers: bearer(apiKey) }),
		);
		expect(history.items).toMatchObject([{ kind: "expire", actor: "system", seq: 1 }]);
		const [expire] = history.items as [CommandBody];
		expect((await waitForCommand(expire.id)).result).toBe("expired");
		const now = await bodyOf<{ link: LinkBody }>(await readLink(link.id));
		expect(now.link).toMatchObject({ state: "expired", epoch: 2, terminalEpoch: 2 });
		await expectProblem(await callLink(uploadUrl, ``), 410, "link-expired");
		await expectProblem(await issue("revoke", link.id, apiKey), 410, "link-expired");
		// Delete is still allowed on an expired link.
		const del = await issue("delete", link.id, apiKey);
		expect(del.status).toBe(202);
		await waitForCommand((await bodyOf<{ command: CommandBody }>(del)).command.id);
		expect(await storedEpoch(link.id)).toBe(3);
	});

	it("an expiry moved into the future does not fire early; cleared expiry never fires", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey, {
			expiresAt: new Date(Date.now() + 60_000).toISOString(),
		});
		await fireTimers(link.id, ["expire"]);
		expect(await storedEpoch(link.id)).toBe(1);
		const patched = await sendJson(
			"PATCH",
			`/api/links/${link.id}`,
			{ expiresAt: null },
			bearer(apiKey),
		);
		expect(patched.status).toBe(200);
		await fireTimers(link.id, ["expire"]);
		const now = await bodyOf<{ link: LinkBody }>(await readLink(link.id));
		expect(now.link).toMatchObject({ state: "active", pendingCommands: [] });
	});
});

describe("retry tokens", () => {
	async function revoked() {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey);
		const res = await issue("revoke", link.id, apiKey);
		const body = await bodyOf<{ command: CommandBody; retryToken: string }>(res);
		return { apiKey, link, ...body };
	}

	it("authorizes polling without owner credentials", async () => {
		const { command, retryToken } = await revoked();
		const res = await call(`/api/commands/${command.id}`, {
			headers: { "Retry-Token": retryToken },
		});
		expect(res.status).toBe(200);
		expect((await bodyOf<{ command: CommandBody }>(res)).command.id).toBe(command.id);
		await waitForCommand(command.id);
		const final = await call(`/api/commands/${command.id}`, {
			headers: { "Retry-Token": retryToken },
		});
		expect(final.headers.get("retry-after")).toBeNull();
	});

	it("refuses tampered, truncated, expired and foreign tokens with 403", async () => {
		const a = await revoked();
		const b = await revoked();
		const flip = (s: string, i: number) =>
			s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
		const expired = await signRetryToken(
			env.RETRY_TOKEN_SECRET,
			a.command.id,
			60,
			Date.now() - 3_600_000,
		);
		const forged = await signRetryToken("not-the-secret", a.command.id, 600);
		const [p, id, exp, sig] = a.retryToken.split(".") as [string, string, string, string];
		const extended = `${p}.${id}.${Number(exp) + 86_400}.${sig}`;
		for (const token of [
			flip(a.retryToken, a.retryToken.length - 3),
			a.retryToken.slice(0, -1),
			`${a.retryToken}x`,
			expired,
			forged,
			extended,
			b.retryToken,
			"",
			"rt1...",
			"x".repeat(300),
		]) {
			await expectProblem(
				await call(`/api/commands/${a.command.id}`, { headers: { "Retry-Token": token } }),
				403,
				"retry-token-invalid",
			);
		}
		await waitForCommand(a.command.id);
		await waitForCommand(b.command.id);
	});

	it("needs credentials or a token; unknown and malformed command ids are 404", async () => {
		const { command, apiKey } = await revoked();
		await expectProblem(await call(`/api/commands/${command.id}`), 401, "unauthorized");
		await expectProblem(
			await call("/api/commands/cmd_nope", { headers: bearer(apiKey) }),
			404,
			"command-not-found",
		);
		const unknown = `${command.id.slice(0, -12)}000000000000`;
		await expectProblem(
			await call(`/api/commands/${unknown}`, { headers: bearer(apiKey) }),
			404,
			"command-not-found",
		);
		await waitForCommand(command.id);
	});

	it("verifies only the command it is bound to (unit)", async () => {
		const token = await signRetryToken("s", "cmd_a", 60, 1_000_000);
		expect(await verifyRetryToken("s", token, "cmd_a", 1_000_000)).toBe(true);
		expect(await verifyRetryToken("s", token, "cmd_b", 1_000_000)).toBe(false);
		expect(await verifyRetryToken("s", token, "cmd_a", 1_000_000 + 61_000)).toBe(false);
		expect(await verifyRetryToken("", token, "cmd_a", 1_000_000)).toBe(false);
	});
});
