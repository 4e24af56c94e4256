/**
 * The typed clients put ids into request paths: each id must stay one path
 * segment, whatever it holds. An id with `/`, `?`, `#` or `%` pasted as it is
 * names another resource (`<id>/resume?` turned a pause into a resume), and
 * an id that is a dot segment (`.`, `..`) cannot be one segment at all, so
 * the client refuses it without a request. Every method of both clients is
 * listed below: a new method fails this file until it is listed, with the
 * path it must send.
 */
import { describe, expect, it } from "vitest";
import { OwnerClient, type Session, UploaderClient } from "../../src/client";

/** Ids as a hostile or careless caller passes them. */
const SEGMENTS = ["a/b", "x?y=1", "x#frag", "100%", "%2F", "../webhooks", "a/../b"];
/** Ids that cannot be one path segment: no request may leave. */
const REFUSED = ["", ".", ".."];

/** A fetch that records each request and answers a body every method can read. */
function recorder() {
	const urls: string[] = [];
	const fetch = async (input: string) => {
		urls.push(input);
		const body = {
			command: { id: "cmd_x", status: "succeeded" },
			link: {},
			items: [],
			nextCursor: null,
			upload: { state: "finalized" },
		};
		return new Response(JSON.stringify(body), {
			headers: { "Content-Type": "application/json" },
		});
	};
	return { urls, fetch };
}

const ORIGIN = "https://receive.test";
const enc = encodeURIComponent;

type OwnerCase =
	| { path: (id: string) => string; run: (client: OwnerClient, id: string) => Promise<unknown> }
	| { none: string };

/** Every method of OwnerClient: the path it sends for an id, or why it takes none. */
const OWNER: Record<string, OwnerCase> = {
	as: { none: "another client; sends nothing" },
	request: { none: "takes a path, not an id" },
	download: { none: "takes a downloadUrl the API answered, not an id" },
	all: { none: "pages through a list method" },
	json: { none: "internal: reads an answer" },
	createOwner: { none: "no id in its path" },
	listOwners: { none: "no id in its path" },
	createLink: { none: "no id in its path" },
	listLinks: { none: "no id in its path" },
	createWebhookResponse: { none: "no id in its path" },
	createWebhook: { none: "no id in its path" },
	listWebhooks: { none: "no id in its path" },
	listAllLinks: { none: "no id in its path (ownerId goes in the query)" },
	listDeadLetters: { none: "no id in its path (linkId goes in the query)" },
	getOwnerResponse: { path: (id) => `/api/admin/owners/${id}`, run: (c, id) => c.getOwner(id) },
	getOwner: { path: (id) => `/api/admin/owners/${id}`, run: (c, id) => c.getOwner(id) },
	rotateOwnerKeyResponse: {
		path: (id) => `/api/admin/owners/${id}/keys`,
		run: (c, id) => c.rotateOwnerKeyResponse(id),
	},
	rotateOwnerKey: {
		path: (id) => `/api/admin/owners/${id}/keys`,
		run: (c, id) => c.rotateOwnerKey(id),
	},
	getLinkResponse: { path: (id) => `/api/links/${id}`, run: (c, id) => c.getLinkResponse(id) },
	getLink: { path: (id) => `/api/links/${id}`, run: (c, id) => c.getLink(id) },
	getUploadUrl: {
		path: (id) => `/api/links/${id}/upload-url`,
		run: (c, id) => c.getUploadUrl(id),
	},
	patchLink: { path: (id) => `/api/links/${id}`, run: (c, id) => c.patchLink(id, {}) },
	lifecycleResponse: {
		path: (id) => `/api/links/${id}/pause`,
		run: (c, id) => c.lifecycleResponse("pause", id),
	},
	pause: { path: (id) => `/api/links/${id}/pause`, run: (c, id) => c.pause(id) },
	resume: { path: (id) => `/api/links/${id}/resume`, run: (c, id) => c.resume(id) },
	revoke: { path: (id) => `/api/links/${id}/revoke`, run: (c, id) => c.revoke(id) },
	delete: { path: (id) => `/api/links/${id}`, run: (c, id) => c.delete(id) },
	getCommandResponse: {
		path: (id) => `/api/commands/${id}`,
		run: (c, id) => c.getCommandResponse(id),
	},
	getCommand: { path: (id) => `/api/commands/${id}`, run: (c, id) => c.getCommand(id) },
	waitForCommand: { path: (id) => `/api/commands/${id}`, run: (c, id) => c.waitForCommand(id) },
	listCommands: {
		path: (id) => `/api/links/${id}/commands`,
		run: (c, id) => c.listCommands(id),
	},
	listUploads: { path: (id) => `/api/links/${id}/uploads`, run: (c, id) => c.listUploads(id) },
	abortUpload: {
		path: (id) => `/api/links/${id}/uploads/${id}`,
		run: (c, id) => c.abortUpload(id, id),
	},
	listFiles: { path: (id) => `/api/links/${id}/files`, run: (c, id) => c.listFiles(id) },
	downloadFileResponse: {
		path: (id) => `/api/files/${id}/content`,
		run: (c, id) => c.downloadFileResponse(id),
	},
	downloadZipResponse: {
		path: (id) => `/api/links/${id}/files.zip`,
		run: (c, id) => c.downloadZipResponse(id),
	},
	downloadZip: { path: (id) => `/api/links/${id}/files.zip`, run: (c, id) => c.downloadZip(id) },
	getWebhookResponse: {
		path: (id) => `/api/webhooks/${id}`,
		run: (c, id) => c.getWebhookResponse(id),
	},
	getWebhook: { path: (id) => `/api/webhooks/${id}`, run: (c, id) => c.getWebhook(id) },
	updateWebhookResponse: {
		path: (id) => `/api/webhooks/${id}`,
		run: (c, id) => c.updateWebhookResponse(id, {}),
	},
	updateWebhook: { path: (id) => `/api/webhooks/${id}`, run: (c, id) => c.updateWebhook(id, {}) },
	deleteWebhook: { path: (id) => `/api/webhooks/${id}`, run: (c, id) => c.deleteWebhook(id) },
	rotateWebhookSecret: {
		path: (id) => `/api/webhooks/${id}/rotate`,
		run: (c, id) => c.rotateWebhookSecret(id),
	},
	getWebhookSecret: {
		path: (id) => `/api/webhooks/${id}/secret`,
		run: (c, id) => c.getWebhookSecret(id),
	},
	sendTestWebhook: {
		path: (id) => `/api/webhooks/${id}/test`,
		run: (c, id) => c.sendTestWebhook(id),
	},
	auditResponse: {
		path: (id) => `/api/admin/links/${id}/audit`,
		run: (c, id) => c.auditResponse(id),
	},
	audit: { path: (id) => `/api/admin/links/${id}/audit`, run: (c, id) => c.audit(id) },
	getDeadLetter: {
		path: (id) => `/api/admin/dead-letters/${id}`,
		run: (c, id) => c.getDeadLetter(id),
	},
	replayDeadLetter: {
		path: (id) => `/api/admin/dead-letters/${id}/replay`,
		run: (c, id) => c.replayDeadLetter(id),
	},
	discardDeadLetter: {
		path: (id) => `/api/admin/dead-letters/${id}/discard`,
		run: (c, id) => c.discardDeadLetter(id),
	},
	listDeliveries: {
		path: (id) => `/api/webhooks/${id}/deliveries`,
		run: (c, id) => c.listDeliveries(id),
	},
	redeliver: {
		path: (id) => `/api/webhooks/${id}/deliveries/${id}/redeliver`,
		run: (c, id) => c.redeliver(id, id),
	},
};

const session = (uploadId: string): Session => ({ uploadId, uploadToken: "t" });

type UploaderCase =
	| {
			path: (id: string) => string;
			run: (client: UploaderClient, id: string) => Promise<unknown>;
	  }
	| { none: string };

/** Every method of UploaderClient: the path it sends for an id, or why it takes none. */
const UPLOADER: Record<string, UploaderCase> = {
	info: { none: "no id in its path" },
	init: { none: "no id in its path" },
	upload: { none: "no id in its path (ids come from the answers)" },
	uploadSmall: { none: "no id in its path" },
	send: { none: "takes a path, not an id" },
	uploadSmallOrNull: { none: "internal: uploadSmall, then waitForCommand" },
	sendParts: { none: "internal: putPart" },
	origin: { none: "internal" },
	path: { none: "internal: the path of status, abort, putSingle, …" },
	auth: { none: "internal" },
	json: { none: "internal: send" },
	status: { path: (id) => `/r/lnk_x/uploads/${id}`, run: (c, id) => c.status(session(id)) },
	abort: { path: (id) => `/r/lnk_x/uploads/${id}`, run: (c, id) => c.abort(session(id)) },
	putSingle: {
		path: (id) => `/r/lnk_x/uploads/${id}`,
		run: (c, id) => c.putSingle(session(id), new Uint8Array(1)),
	},
	putPart: {
		path: (id) => `/r/lnk_x/uploads/${id}/parts/1`,
		run: (c, id) =>
			c.putPart(
				session(id),
				{ partSize: 1 } as Parameters<UploaderClient["putPart"]>[1],
				new Uint8Array(1),
				1,
			),
	},
	complete: {
		path: (id) => `/r/lnk_x/uploads/${id}/complete`,
		run: (c, id) => c.complete(session(id)),
	},
	finalize: {
		path: (id) => `/r/lnk_x/uploads/${id}/finalize`,
		run: (c, id) => c.finalize(session(id)),
	},
	resume: {
		path: (id) => `/r/lnk_x/uploads/${id}`,
		run: (c, id) => c.resume(session(id), new Uint8Array(1), { wait: false }),
	},
	waitForCommand: {
		path: (id) => `/api/commands/${id}`,
		run: (c, id) => c.waitForCommand(id, "rt"),
	},
};

function methodsOf(prototype: object): string[] {
	return Object.getOwnPropertyNames(prototype).filter((name) => name !== "constructor");
}

/** Runs `run` with each id and checks the first request's path keeps it as one encoded segment. */
async function expectOneSegment<C>(
	make: (fetch: (input: string) => Promise<Response>) => C,
	cases: Record<
		string,
		{ path: (id: string) => string; run: (c: C, id: string) => Promise<unknown> } | { none: string }
	>,
) {
	for (const [name, spec] of Object.entries(cases)) {
		if ("none" in spec) continue;
		for (const id of SEGMENTS) {
			const { urls, fetch } = recorder();
			await spec.run(make(fetch), id).catch(() => undefined);
			expect(urls.length, `${name}(${JSON.stringify(id)}) sent nothing`).toBeGreaterThan(0);
			const url = new URL(urls[0] ?? "");
			expect(url.pathname, `${name}(${JSON.stringify(id)})`).toBe(spec.path(enc(id)));
			expect(url.hash, `${name}(${JSON.stringify(id)})`).toBe("");
		}
		for (const id of REFUSED) {
			const { urls, fetch } = recorder();
			await expect(spec.run(make(fetch), id), `${name}(${JSON.stringify(id)})`).rejects.toThrow(
				/not an id/,
			);
			expect(urls, `${name}(${JSON.stringify(id)})`).toEqual([]);
		}
	}
}

describe("ids in the clients' request paths", () => {
	it("every OwnerClient method is listed here", () => {
		expect(methodsOf(OwnerClient.prototype).sort()).toEqual(Object.keys(OWNER).sort());
	});

	it("every UploaderClient method is listed here", () => {
		expect(methodsOf(UploaderClient.prototype).sort()).toEqual(Object.keys(UPLOADER).sort());
	});

	it("OwnerClient keeps each id one encoded path segment and refuses dot segments unsent", async () => {
		await expectOneSegment(
			(fetch) => new OwnerClient(ORIGIN, { fetch, sleep: async () => {} }),
			OWNER,
		);
	});

	it("UploaderClient keeps upload and command ids one encoded path segment and refuses dot segments unsent", async () => {
		await expectOneSegment(
			(fetch) => new UploaderClient(`${ORIGIN}/r/lnk_x#secret`, { fetch, sleep: async () => {} }),
			UPLOADER,
		);
	});
});
