/**
 * R2 operations the DO runs as compensation and cleanup. Each is idempotent:
 * aborting an aborted or completed multipart upload, or deleting a missing
 * object, is not an error.
 */
export async function abortMultipart(
	bucket: R2Bucket,
	key: string,
	r2UploadId: string,
): Promise<void> {
	try {
		await bucket.resumeMultipartUpload(key, r2UploadId).abort();
	} catch (error) {
		if (!/NoSuchUpload|does not exist|not found/i.test(String(error))) throw error;
	}
}

export type ObjectCheck = "ok" | "missing" | "length-mismatch" | "checksum-mismatch";

const hex = (buf: ArrayBuffer) =>
	[...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");

/**
 * Checks a committed object against what the uploader declared: its size, and
 * its sha256 when one was declared (from R2's stored checksum when it has one,
 * else by streaming the object through a digest).
 */
export async function checkObject(
	bucket: R2Bucket,
	key: string,
	size: number,
	sha256: string | null,
): Promise<ObjectCheck> {
	const head = await bucket.head(key);
	if (!head) return "missing";
	if (head.size !== size) return "length-mismatch";
	if (!sha256) return "ok";
	const stored = head.checksums.sha256;
	if (stored) return hex(stored) === sha256 ? "ok" : "checksum-mismatch";
	const body = await bucket.get(key);
	if (!body) return "missing";
	const digest = new crypto.DigestStream("SHA-256");
	await body.body.pipeTo(digest);
	return hex(await digest.digest) === sha256 ? "ok" : "checksum-mismatch";
}
