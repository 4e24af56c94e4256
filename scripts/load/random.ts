// Seeded randomness and reproducible file contents for the load test.
import { createCipheriv, createHash } from "node:crypto";

function hash32(text: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
	return h >>> 0;
}

export type Rng = () => number;

/** mulberry32 seeded from the parts; one stream per purpose keeps plans reproducible. */
export function rngOf(...parts: (string | number)[]): Rng {
	let a = hash32(parts.join(":"));
	return () => {
		a = (a + 0x6d2b79f5) | 0;
		let t = Math.imul(a ^ (a >>> 15), 1 | a);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

export function pick<T>(r: Rng, list: readonly T[]): T {
	const x = list[Math.floor(r() * list.length)];
	if (x === undefined) throw new Error("pick from an empty list");
	return x;
}

/** Reproducible file content: AES-128-CTR keystream keyed by seed, uploader and file. */
export function fileBytes(seed: string, u: number, f: number, size: number): Buffer {
	const key = createHash("sha256").update(`${seed}:${u}:${f}`).digest().subarray(0, 16);
	return createCipheriv("aes-128-ctr", key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

export const sha256 = (data: Uint8Array): string => createHash("sha256").update(data).digest("hex");
