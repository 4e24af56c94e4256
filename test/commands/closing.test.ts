import { describe, expect, it } from "vitest";
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
	setFaults,
	waitForCommand,
} from "../helpers";

/** A link whose revoke is accepted but cannot be sent: it stays closing until released. */
async function closingLink() {
	const { apiKey } = await createOwner();
	const { link, uploadUrl } = await createLink(apiKey);
	await setFaults(link.id, { failSend: 1_000 });
	const res = await issue("revoke", link.id, apiKey);
	expect(res.status).toBe(202);
	const { command } = await bodyOf<{ command: CommandBody }>(res);
	return { apiKey, link, uploadUrl, command };
}

describe("the closing fence", () => {
	it("shows the link closing with its pending command", async () => {
		const { link, command } = await closingLink();
		const now = await bodyOf<{ link: LinkBody }>(await readLink(link.id));
		expect(now.link).toMatchObject({ state: "active", phase: "closing", closing: true, epoch: 1 });
		expect(now.link.pendingCommands).toMatchObject([{ id: command.id, status: "accepted" }]);
	});

	it("refuses pause, resume and settings with 409 terminal-pending", async () => {
		const { apiKey, link } = await closingLink();
		for (const op of ["pause", "resume"]) {
			const p = await expectProblem(
				await call(`/api/links/${link.id}/${op}`, { method: "POST", headers: bearer(apiKey) }),
				409,
				"terminal-pending",
			);
			expect(p.epoch).toBe(1);
		}
		await expectProblem(
			await sendJson("PATCH", `/api/links/${link.id}`, { title: "x" }, bearer(apiKey)),
			409,
			"terminal-pending",
		);
	});

	it("answers a second revoke with the same command, and a delete with a new one in order", async () => {
		const { apiKey, link, command } = await closingLink();
		const again = await bodyOf<{ command: CommandBody }>(await issue("revoke", link.id, apiKey));
		expect(again.command.id).toBe(command.id);
		const del = await bodyOf<{ command: CommandBody }>(await issue("delete", link.id, apiKey));
		expect(del.command.seq).toBe(2);
		const delAgain = await bodyOf<{ command: CommandBody }>(await issue("delete", link.id, apiKey));
		expect(delAgain.command.id).toBe(del.command.id);
	});

	it("the outbox alarm re-sends a command whose send failed, and it applies", async () => {
		const { link, command } = await closingLink();
		expect((await waitForCommand(command.id, ["accepted"])).status).toBe("accepted");
		await setFaults(link.id, {});
		await fireTimers(link.id, ["outbox"]);
		const done = await waitForCommand(command.id);
		expect(done).toMatchObject({ status: "succeeded", appliedEpoch: 2 });
	});

	it("still shows uploaders a closing link (phase closing), then 410 once applied", async () => {
		const { link, uploadUrl, command } = await closingLink();
		const info = await bodyOf<{ link: { phase: string } }>(await callLink(uploadUrl, ``));
		expect(info.link.phase).toBe("closing");
		await setFaults(link.id, {});
		await fireTimers(link.id, ["outbox"]);
		await waitForCommand(command.id);
		await expectProblem(await callLink(uploadUrl, ``), 410, "link-revoked");
	});
});
