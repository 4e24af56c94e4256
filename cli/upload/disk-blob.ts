/**
 * A file as a Blob the upload client can slice, whatever its size. Node 22's
 * file Blobs break past 4 GiB (found by `npm run zip:large`, Node v22.23):
 * `fs.openAsBlob` reports the size modulo 2^32 and `slice` past 2^32 aborts
 * the process. Up to that size `openAsBlob` is used as it is; beyond it,
 * `DiskBlob` reads each slice (a part, 8 MiB or more) from the file.
 */
import { closeSync, openAsBlob, openSync, readSync } from "node:fs";

const FOUR_GIB = 2 ** 32;

/** A Blob whose `size` is the file's and whose `slice` reads that range from disk. */
export class DiskBlob extends Blob {
	readonly #path: string;
	readonly #length: number;

	constructor(path: string, length: number) {
		super([]);
		this.#path = path;
		this.#length = length;
		Object.defineProperty(this, "size", { value: length });
	}

	override slice(start = 0, end = this.#length): Blob {
		const from = Math.max(0, Math.min(start, this.#length));
		const buf = Buffer.alloc(Math.max(0, Math.min(end, this.#length) - from));
		const fd = openSync(this.#path, "r");
		try {
			let done = 0;
			while (done < buf.length) {
				const n = readSync(fd, buf, done, buf.length - done, from + done);
				if (n === 0) throw new Error(`${this.#path} is shorter than ${this.#length} bytes`);
				done += n;
			}
		} finally {
			closeSync(fd);
		}
		return new Blob([buf]);
	}
}

/** The file at `path` of `size` bytes as a Blob to upload (sliced into parts beyond 4 GiB). */
export async function fileBlob(path: string, size: number): Promise<Blob> {
	if (size < FOUR_GIB) return openAsBlob(path);
	return new DiskBlob(path, size);
}
