/**
 * Files over 4 GiB from the CLI: Node 22's `openAsBlob` reports such a
 * file's size modulo 2^32, so `fileBlob` hands the upload client a DiskBlob
 * that slices from disk. Checked on a sparse file (no 4 GiB written).
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DiskBlob, fileBlob } from "../../cli/upload/disk-blob.ts";
import { tempDir } from "./cli-helpers.ts";

const FOUR_GIB = 2 ** 32;

describe("the CLI's file Blob", () => {
	it("has the real size of a file over 4 GiB and slices past 4 GiB from disk", async () => {
		const path = join(tempDir("cli-big-"), "sparse.bin");
		const fd = openSync(path, "w");
		const tail = Buffer.from("the end of a large file");
		writeSync(fd, tail, 0, tail.length, FOUR_GIB + 7);
		closeSync(fd);
		const size = FOUR_GIB + 7 + tail.length;
		const blob = await fileBlob(path, size);
		expect(blob).toBeInstanceOf(DiskBlob);
		expect(blob.size).toBe(size);
		const last = blob.slice(FOUR_GIB + 7, size);
		expect(Buffer.from(await last.arrayBuffer()).toString()).toBe(tail.toString());
		const first = blob.slice(0, 8);
		expect([...new Uint8Array(await first.arrayBuffer())]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
	});

	it("is the plain file Blob below 4 GiB", async () => {
		const path = join(tempDir("cli-small-"), "small.bin");
		const fd = openSync(path, "w");
		writeSync(fd, Buffer.from("abc"));
		closeSync(fd);
		const blob = await fileBlob(path, 3);
		expect(blob).not.toBeInstanceOf(DiskBlob);
		expect(await blob.text()).toBe("abc");
	});
});
