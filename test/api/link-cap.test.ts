/**
 * The per-owner cap on links (`MAX_LINKS_PER_OWNER`, docs/deploy.md): past
 * it, creating a link is 409 `too-many-links` and creates nothing; deleted
 * links do not count; links created at the same time cannot pass it
 * together (one D1 statement decides); "0" turns the cap off.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, onTestFinished } from "vitest";
import { linkCap } from "../../src/api/routes/links";
import {
	bearer,
	type CommandBody,
	call,
	createLink,
	createOwner,
	expectProblem,
	issue,
	waitForCommand,
} from "../helpers";

const vars = env as unknown as Record<string, string>;

function withCap(value: string): void {
	const before = vars.MAX_LINKS_PER_OWNER;
	vars.MAX_LINKS_PER_OWNER = value;
	onTestFinished(() => {
		vars.MAX_LINKS_PER_OWNER = before as string;
	});
}

const create = (apiKey: string, title = "Capped") =>
	call("/api/links", {
		method: "POST",
		headers: { ...bearer(apiKey), "Content-Type": "application/json" },
		body: JSON.stringify({ title }),
	});

async function linkIds(apiKey: string): Promise<string[]> {
	const res = await call("/api/links", { headers: bearer(apiKey) });
	return ((await res.json()) as { items: { id: string }[] }).items.map((l) => l.id);
}

describe("the per-owner cap on links", () => {
	it("the link past the cap is 409 too-many-links; nothing is created; other owners are not held back", async () => {
		withCap("2");
		const { apiKey } = await createOwner();
		await createLink(apiKey);
		await createLink(apiKey);
		const refused = await expectProblem(await create(apiKey), 409, "too-many-links");
		expect(refused.limit).toBe(2);
		expect(refused.detail).toContain("at most 2 links");
		expect(await linkIds(apiKey)).toHaveLength(2);
		const other = await createOwner();
		expect((await create(other.apiKey)).status).toBe(201);
	});

	it("a deleted link does not count; a revoked one does", async () => {
		withCap("2");
		const { apiKey } = await createOwner();
		const a = await createLink(apiKey);
		const b = await createLink(apiKey);
		const revoke = (await (await issue("revoke", a.link.id, apiKey)).json()) as {
			command: CommandBody;
		};
		await waitForCommand(revoke.command.id);
		await expectProblem(await create(apiKey), 409, "too-many-links");
		const del = (await (await issue("delete", b.link.id, apiKey)).json()) as {
			command: CommandBody;
		};
		await waitForCommand(del.command.id);
		expect((await create(apiKey)).status).toBe(201);
	});

	it("eight creations at once under a cap of 3: exactly 3 links exist", async () => {
		withCap("3");
		const { apiKey } = await createOwner();
		const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => create(apiKey, `P${i}`)));
		const statuses = answers.map((r) => r.status).sort();
		expect(statuses).toEqual([201, 201, 201, 409, 409, 409, 409, 409]);
		expect(await linkIds(apiKey)).toHaveLength(3);
	});

	it("MAX_LINKS_PER_OWNER: a whole number, 0 for none, anything else the default", () => {
		const cap = (value: string | undefined) => linkCap({ MAX_LINKS_PER_OWNER: value } as never);
		expect(cap("25")).toBe(25);
		expect(cap("0")).toBeNull();
		expect(cap(" 0 ")).toBeNull();
		for (const odd of ["", "-3", "2.5", "lots", undefined]) expect(cap(odd), odd).toBe(1000);
	});
});
