/**
 * The terminal-state table's tus rows, cell by cell (docs/lifecycle.md,
 * "tus"): creation and PATCH answer like init and part PUT, HEAD like the
 * upload status (410 once the session ended), DELETE like abort, OPTIONS
 * always. Expected values are transcribed from the docs.
 */
import { describe, expect, it } from "vitest";
import {
	bearer,
	bodyOf,
	bytesOf,
	type CommandBody,
	call,
	createLink,
	createOwner,
	expectProblem,
	issue,
	parseUploadUrl,
	setFaults,
	waitForCommand,
} from "../helpers";

type Phase = "paused" | "closing" | "revoked" | "deleted";
type Op = "create" | "patch" | "head" | "terminate" | "options";

const EXPECTED: Record<Op, Record<Phase, [number, string?]>> = {
	create: {
		paused: [423, "link-paused"],
		closing: [423, "link-closing"],
		revoked: [410, "link-revoked"],
		deleted: [410, "link-deleted"],
	},
	patch: {
		paused: [423, "link-paused"],
		closing: [423, "link-closing"],
		revoked: [410, "link-revoked"],
		deleted: [410, "link-deleted"],
	},
	// HEAD answers carry no body: only the status is compared.
	head: { paused: [200], closing: [200], revoked: [410], deleted: [410] },
	terminate: {
		paused: [204],
		closing: [204],
		revoked: [410, "link-revoked"],
		deleted: [410, "link-deleted"],
	},
	options: { paused: [204], closing: [204], revoked: [204], deleted: [204] },
};

/** A link with a tus upload holding 5 of its 10 bytes (a remainder), then driven into `phase`. */
async function linkIn(phase: Phase) {
	const { apiKey } = await createOwner();
	const { link, uploadUrl } = await createLink(apiKey);
	const base = `/r/${link.id}/tus/`;
	const headers = { "Tus-Resumable": "1.0.0", "Link-Secret": parseUploadUrl(uploadUrl).secret };
	const created = (name: string) =>
		call(base, {
			method: "POST",
			headers: { ...headers, "Upload-Length": "10", "Upload-Metadata": `filename ${btoa(name)}` },
		});
	const first = await created("a.bin");
	expect(first.status).toBe(201);
	const path = new URL(first.headers.get("location") ?? "").pathname;
	const patch = (offset: number) =>
		call(path, {
			method: "PATCH",
			headers: {
				...headers,
				"Content-Type": "application/offset+octet-stream",
				"Upload-Offset": String(offset),
			},
			body: bytesOf(5),
		});
	expect((await patch(0)).status).toBe(204);
	const other = await created("b.bin");
	const otherPath = new URL(other.headers.get("location") ?? "").pathname;
	if (phase === "paused") {
		const res = await call(`/api/links/${link.id}/pause`, {
			method: "POST",
			headers: bearer(apiKey),
		});
		expect(res.status).toBe(200);
	} else {
		if (phase === "closing") await setFaults(link.id, { failSend: 1_000 });
		const kind = phase === "deleted" ? "delete" : "revoke";
		const { command } = await bodyOf<{ command: CommandBody }>(await issue(kind, link.id, apiKey));
		if (phase !== "closing") await waitForCommand(command.id);
	}
	const ops: Record<Op, () => Promise<Response>> = {
		create: () => created("c.bin"),
		patch: () => patch(5),
		head: () => call(path, { method: "HEAD", headers }),
		terminate: () => call(otherPath, { method: "DELETE", headers }),
		options: () => call(base, { method: "OPTIONS", headers }),
	};
	return ops;
}

describe("terminal-state table for tus", () => {
	for (const phase of ["paused", "closing", "revoked", "deleted"] as const) {
		it(`answers every tus request per the table while ${phase}`, async () => {
			const ops = await linkIn(phase);
			for (const op of Object.keys(EXPECTED) as Op[]) {
				const [status, code] = EXPECTED[op][phase];
				const res = await ops[op]();
				if (code) await expectProblem(res, status, code);
				else expect(res.status, `${op} while ${phase}: ${await res.clone().text()}`).toBe(status);
				expect(res.headers.get("tus-resumable"), op).toBe("1.0.0");
				if (status === 423) expect(res.headers.get("retry-after"), op).toMatch(/^[0-9]+$/);
			}
		});
	}
});
