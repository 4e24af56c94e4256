/**
 * Downloads of text-like files through `wrangler dev`, as a browser or a
 * client that accepts compression asks for them: byte-exact, identity
 * encoded and with `Content-Length` (docs/uploads.md, "The owner's side"),
 * full and ranged. A runtime or proxy that compressed them would drop the
 * length and break ranges.
 */
import { describe, expect, test } from "vitest";
import { UploaderClient } from "../../src/client/index.ts";
import { newLink, owner, service } from "./helpers.ts";

const TYPES = ["text/plain", "text/html", "text/csv", "application/json", "image/svg+xml"];

describe("downloads of text-like files", () => {
	test("carry Content-Length and identity encoding, full and ranged, whatever the client accepts", async () => {
		const link = await newLink();
		const client = new UploaderClient(`${link.origin}/r/${link.id}#${link.secret}`, {
			baseUrl: service().base,
			pollMs: 100,
		});
		const text = new TextEncoder().encode("receive links, byte for byte\n".repeat(4000));
		for (const type of TYPES)
			await client.upload(text, { name: `t.${type.split("/")[1]?.split("+")[0]}`, type });
		const o = await owner();
		const files = (await o.listFiles(link.id)).items;
		expect(files.map((f) => f.type).sort()).toEqual([...TYPES].sort());
		for (const file of files) {
			for (const accept of ["gzip, deflate, br", "identity"]) {
				const full = await o.download(file.downloadUrl, { "Accept-Encoding": accept });
				const what = `${file.type}, Accept-Encoding: ${accept}`;
				expect(full.status, what).toBe(200);
				expect(full.headers.get("content-length"), what).toBe(String(text.byteLength));
				expect(full.headers.get("content-encoding") ?? "identity", what).toBe("identity");
				expect((await full.arrayBuffer()).byteLength, what).toBe(text.byteLength);
				const part = await o.download(file.downloadUrl, {
					"Accept-Encoding": accept,
					Range: "bytes=100-199",
				});
				expect(part.status, what).toBe(206);
				expect(part.headers.get("content-length"), what).toBe("100");
				expect(part.headers.get("content-range"), what).toBe(`bytes 100-199/${text.byteLength}`);
				expect(new Uint8Array(await part.arrayBuffer()), what).toEqual(text.subarray(100, 200));
			}
		}
	});
});
