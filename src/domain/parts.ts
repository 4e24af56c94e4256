/** R2 multipart arithmetic (docs/design.md#upload-rules). Pure. */
export const MiB = 1024 * 1024;
export const MIN_PART_SIZE = 5 * MiB;
export const DEFAULT_PART_SIZE = 8 * MiB;
/** R2 caps a part at 5 GiB. */
export const MAX_PART_SIZE = 5 * 1024 * MiB;
export const MAX_PARTS = 10_000;

/**
 * The part size for a file of `size` bytes: 8 MiB by default, raised (in whole
 * MiB) so that the file needs at most 10,000 parts.
 */
export function choosePartSize(size: number): number {
	const needed = Math.ceil(size / MAX_PARTS);
	if (needed <= DEFAULT_PART_SIZE) return DEFAULT_PART_SIZE;
	return Math.min(MAX_PART_SIZE, Math.ceil(needed / MiB) * MiB);
}
