/**
 * A small, strict reader of stored (uncompressed) ZIP archives for tests
 * that run inside workerd, where no `unzip` exists: it walks the end of
 * central directory (ZIP64 too), every central record, checks each local
 * header agrees, and checks each entry's CRC-32. Anything malformed throws.
 * The e2e tests use the real `unzip`.
 */

export interface ZipEntry {
	name: string;
	size: number;
	crc32: number;
	data: Uint8Array;
	/** The entry carried a ZIP64 extra field in the central directory. */
	zip64: boolean;
}

export interface ZipArchive {
	entries: ZipEntry[];
	/** A ZIP64 end of central directory record is present. */
	zip64: boolean;
}

const CRC_TABLE = (() => {
	const t = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		t[n] = c >>> 0;
	}
	return t;
})();

export function crc32(data: Uint8Array): number {
	let c = 0xffffffff;
	for (const b of data) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

const SIG = { eocd: 0x06054b50, eocd64: 0x06064b50, locator: 0x07064b50, central: 0x02014b50 };
const LOCAL = 0x04034b50;

function fail(why: string): never {
	throw new Error(`not a valid ZIP: ${why}`);
}

export function readZip(bytes: Uint8Array): ZipArchive {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const u16 = (o: number) => view.getUint16(o, true);
	const u32 = (o: number) => view.getUint32(o, true);
	const u64 = (o: number) => Number(view.getBigUint64(o, true));
	const eocd = bytes.byteLength - 22;
	if (eocd < 0 || u32(eocd) !== SIG.eocd) fail("no end of central directory at the end");
	let count = u16(eocd + 10);
	let cdSize = u32(eocd + 12);
	let cdOffset = u32(eocd + 16);
	const locator = eocd - 20;
	const zip64 = locator >= 0 && u32(locator) === SIG.locator;
	if (zip64) {
		const at = u64(locator + 8);
		if (u32(at) !== SIG.eocd64) fail("ZIP64 locator points nowhere");
		count = u64(at + 32);
		cdSize = u64(at + 40);
		cdOffset = u64(at + 48);
	}
	const entries: ZipEntry[] = [];
	let p = cdOffset;
	for (let i = 0; i < count; i++) {
		if (u32(p) !== SIG.central) fail(`central record ${i} missing`);
		const method = u16(p + 10);
		if (method !== 0) fail(`entry ${i} is compressed (method ${method})`);
		const crc = u32(p + 16);
		let size = u32(p + 24);
		const nameLen = u16(p + 28);
		const extraLen = u16(p + 30);
		const commentLen = u16(p + 32);
		let offset = u32(p + 42);
		const name = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
			bytes.subarray(p + 46, p + 46 + nameLen),
		);
		let entryZip64 = false;
		for (let e = p + 46 + nameLen; e < p + 46 + nameLen + extraLen; ) {
			const id = u16(e);
			const len = u16(e + 2);
			if (id === 1) {
				entryZip64 = true;
				let f = e + 4;
				if (size === 0xffffffff) {
					f += 8; // uncompressed size, then compressed size (equal: stored)
					size = u64(f);
					f += 8;
				}
				if (offset === 0xffffffff) offset = u64(f);
			}
			e += 4 + len;
		}
		if (u32(offset) !== LOCAL) fail(`local header of ${name} missing`);
		const localNameLen = u16(offset + 26);
		const localName = new TextDecoder().decode(
			bytes.subarray(offset + 30, offset + 30 + localNameLen),
		);
		if (localName !== name) fail(`local name ${localName} differs from ${name}`);
		const start = offset + 30 + localNameLen + u16(offset + 28);
		const data = bytes.subarray(start, start + size);
		if (data.byteLength !== size) fail(`${name} is cut short`);
		if (crc32(data) !== crc) fail(`${name} fails its CRC-32`);
		entries.push({ name, size, crc32: crc, data, zip64: entryZip64 });
		p += 46 + nameLen + extraLen + commentLen;
	}
	if (p !== cdOffset + cdSize) fail("central directory size does not add up");
	return { entries, zip64 };
}
