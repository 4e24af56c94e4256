/**
 * Side-effect steps of terminal commands. Each is idempotent and resumable:
 * it may run again after a crash, a retry or an eviction, and only ever moves
 * storage towards the link's terminal state.
 */
import { R2Keys } from "../storage/names";

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
