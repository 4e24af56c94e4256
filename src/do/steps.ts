/**
 * Side-effect steps of terminal commands. Each is idempotent and resumable:
 * it may run again after a crash, a retry or an eviction, and only ever moves
 * storage towards the link's terminal state.
 */
import { R2Keys } from "../storage/names";

/** Every key under the link's R2 prefix, one page (up to 1,000 keys) at a time. */
export async function* linkObjectPages(bucket: R2Bucket, linkId: string): AsyncGenerator<string[]> {
	let cursor: string | undefined;
	do {
		const page = await bucket.list({
			prefix: R2Keys.linkPrefix(linkId),
			limit: 1000,
			...(cursor ? { cursor } : {}),
		});
		yield page.objects.map((o) => o.key);
		cursor = page.truncated ? page.cursor : undefined;
	} while (cursor);
}

/** The upload id an object key belongs to (keys end in `/uploads/<uploadId>`). */
export const uploadIdOfKey = (key: string): string => key.slice(key.lastIndexOf("/") + 1);

/** Deletes every object under the link's R2 prefix, page by page. Returns how many it deleted. */
export async function purgeLinkObjects(bucket: R2Bucket, linkId: string): Promise<number> {
	let deleted = 0;
	for (;;) {
		const page = await bucket.list({ prefix: R2Keys.linkPrefix(linkId), limit: 1000 });
		if (page.objects.length > 0) {
			await bucket.delete(page.objects.map((o) => o.key));
			deleted += page.objects.length;
		}
		// Listing again from the start is safe: deleted keys are gone.
		if (!page.truncated) return deleted;
	}
}
