// tus-js-client keeps one localStorage entry per unfinished upload
// (`tus::<fingerprint>::<n>` → { size, metadata, creationTime, uploadUrl }),
// so that adding the same file after a reload continues from the server's
// offset. Uppy's fingerprint is `tus-<file id>-<endpoint>`. The entries hold
// the upload URL (link id and upload id, no secret) and `filename` /
// `filetype` only: the password and the uploader's details travel in a header
// added per request (see sender.ts), never in the stored metadata. Finished
// uploads remove their entry (`removeFingerprintOnSuccess`); a closed link's
// entries are dropped here.

interface Entry {
	key: string;
	size: number;
	name: string;
}

function entriesFor(endpoint: string): Entry[] {
	const out: Entry[] = [];
	try {
		for (let i = 0; i < localStorage.length; i++) {
			const key = localStorage.key(i);
			if (!key?.startsWith("tus::") || !key.includes(`-${endpoint}::`)) continue;
			try {
				const stored = JSON.parse(localStorage.getItem(key) ?? "{}") as {
					size?: unknown;
					metadata?: { filename?: unknown };
				};
				const size = Number(stored.size);
				const name = stored.metadata?.filename;
				out.push({
					key,
					size: Number.isFinite(size) ? size : 0,
					name: typeof name === "string" ? name : "",
				});
			} catch {
				out.push({ key, size: 0, name: "" });
			}
		}
	} catch {
		// No storage (private mode, disabled): nothing to resume.
	}
	return out;
}

/**
 * Unfinished uploads of this link from an earlier visit: the server already
 * counts them against the quota, so re-adding them must not be refused.
 */
export function pendingUploads(endpoint: string): {
	count: number;
	bytes: number;
	names: string[];
} {
	const entries = entriesFor(endpoint);
	return {
		count: entries.length,
		bytes: entries.reduce((n, e) => n + e.size, 0),
		names: entries.map((e) => e.name).filter(Boolean),
	};
}

/** Forgets every unfinished upload of this link (it closed: none can continue). */
export function forgetUploads(endpoint: string): void {
	for (const { key } of entriesFor(endpoint)) {
		try {
			localStorage.removeItem(key);
		} catch {
			// Nothing to do.
		}
	}
}
