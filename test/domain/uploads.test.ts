import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "../../src/domain/settings";
import {
	checkFile,
	checkQuota,
	decideAbort,
	expectedPartLength,
	finalizeOutcome,
	idleTimeoutMs,
	planUpload,
	SESSION_TTL_MS,
	sanitizeFileName,
	sessionExpiry,
	settle,
} from "../../src/domain/uploads";
import { decideWrite, type WriteSubject } from "../../src/domain/writes";

const MiB = 1024 * 1024;

describe("upload plan and part arithmetic", () => {
	it("picks single up to 8 MiB, else 8 MiB parts raised to stay within 10,000 parts", () => {
		expect(planUpload(0)).toEqual({ mode: "single", partSize: null, partCount: 1 });
		expect(planUpload(8 * MiB)).toMatchObject({ mode: "single" });
		expect(planUpload(8 * MiB + 1)).toEqual({ mode: "multipart", partSize: 8 * MiB, partCount: 2 });
		const huge = planUpload(200 * 1024 * MiB);
		expect(huge.partCount).toBeLessThanOrEqual(10_000);
		expect((huge.partSize ?? 0) % MiB).toBe(0);
	});

	it("expects every part but the last to be exactly partSize", () => {
		expect(expectedPartLength(20 * MiB, 8 * MiB, 1)).toBe(8 * MiB);
		expect(expectedPartLength(20 * MiB, 8 * MiB, 3)).toBe(4 * MiB);
		for (const n of [0, 4, -1, 1.5, 10_001])
			expect(expectedPartLength(20 * MiB, 8 * MiB, n)).toBeNull();
	});
});

describe("file rules", () => {
	it("sanitizes names: no path, control or bidi characters, bounded", () => {
		expect(sanitizeFileName("../../etc/passwd")).toBe("passwd");
		expect(sanitizeFileName("a\u0000b\u202ec.txt")).toBe("abc.txt");
		expect(sanitizeFileName("..")).toBe("file");
		expect([...sanitizeFileName("x".repeat(1000))]).toHaveLength(200);
	});

	it("judges the last extension and MIME patterns", () => {
		const s = { ...DEFAULT_SETTINGS, allowedExtensions: ["jpg"], allowedMimeTypes: ["image/*"] };
		expect(checkFile(s, { name: "a.jpg", size: 1, type: "image/jpeg" })).toBeUndefined();
		expect(checkFile(s, { name: "a.jpg.php", size: 1, type: "image/jpeg" })?.code).toBe(
			"file-type-not-allowed",
		);
		expect(checkFile(s, { name: "a.jpg", size: 1, type: "text/html" })?.code).toBe(
			"file-type-not-allowed",
		);
		expect(
			checkFile({ ...s, maxFileBytes: 1 }, { name: "a.jpg", size: 2, type: "image/png" })?.code,
		).toBe("file-too-large");
	});

	it("counts reservations in quotas", () => {
		const s = { ...DEFAULT_SETTINGS, maxFiles: 2, maxTotalBytes: 100 };
		const q = { filesCount: 1, bytesTotal: 10, reservedFiles: 1, reservedBytes: 10 };
		expect(checkQuota(s, q, 1)?.code).toBe("quota-exceeded");
		expect(checkQuota({ ...s, maxFiles: 3 }, q, 81)?.code).toBe("quota-exceeded");
		expect(checkQuota({ ...s, maxFiles: 3 }, q, 80)).toBeUndefined();
	});
});

describe("the admit check of a write", () => {
	const single: WriteSubject = {
		state: "open",
		mode: "single",
		size: 10,
		partSize: null,
		multipartId: null,
		leaseUntil: null,
	};
	const multi: WriteSubject = {
		state: "open",
		mode: "multipart",
		size: 20 * MiB,
		partSize: 8 * MiB,
		multipartId: "r",
		leaseUntil: null,
	};

	it("grants a single PUT with the lease, and refuses a second while the lease holds", () => {
		expect(decideWrite("single-put", single, undefined, [], 0)).toEqual({
			kind: "write",
			expectedLength: 10,
			lease: true,
		});
		expect(decideWrite("single-put", { ...single, leaseUntil: 5 }, undefined, [], 1)).toMatchObject(
			{
				kind: "refuse",
				problem: { code: "upload-state-conflict" },
			},
		);
		expect(decideWrite("single-put", { ...single, leaseUntil: 5 }, undefined, [], 6).kind).toBe(
			"write",
		);
	});

	it("sizes each part and refuses part numbers outside the upload", () => {
		expect(decideWrite("part-put", multi, 3, [], 0)).toEqual({
			kind: "write",
			expectedLength: 4 * MiB,
			lease: false,
		});
		expect(decideWrite("part-put", multi, 4, [], 0)).toMatchObject({
			problem: { code: "invalid-part-number" },
		});
		expect(decideWrite("part-put", { ...multi, multipartId: null }, 1, [], 0)).toMatchObject({
			problem: { code: "upload-state-conflict" },
		});
		expect(decideWrite("part-put", single, 1, [], 0)).toMatchObject({
			problem: { code: "upload-state-conflict" },
		});
	});

	it("completes only with every part, and answers a repeat as done", () => {
		expect(decideWrite("complete", multi, undefined, [1, 3], 0)).toMatchObject({
			problem: { code: "upload-incomplete", extra: { missingParts: [2] } },
		});
		expect(decideWrite("complete", multi, undefined, [1, 2, 3], 0)).toEqual({ kind: "complete" });
		expect(decideWrite("complete", { ...multi, state: "completed" }, undefined, [], 0)).toEqual({
			kind: "already-completed",
		});
	});

	it("refuses every write to an aborted or rejected upload with 410", () => {
		for (const state of ["aborted", "rejected"] as const) {
			for (const op of ["single-put", "part-put", "complete"] as const) {
				expect(decideWrite(op, { ...multi, state }, 1, [], 0)).toMatchObject({
					problem: { code: "upload-aborted", status: 410 },
				});
			}
		}
	});
});

describe("settling and late finalize", () => {
	it("aborts open sessions; recovers or rejects completed ones; delete always rejects", () => {
		expect(settle("revoke", "recover", "open")).toBe("abort");
		expect(settle("revoke", "recover", "completed")).toBe("finalize");
		expect(settle("expire", "reject", "completed")).toBe("reject");
		expect(settle("delete", "recover", "completed")).toBe("reject");
		expect(settle("delete", "recover", "finalized")).toBe("keep");
	});

	it("finalizes a finalization-pending upload under recover only; never after delete", () => {
		const link = { state: "revoked" as const, terminalEpoch: 3, lateFinalize: "recover" as const };
		expect(finalizeOutcome(link, { state: "completed", completedEpoch: 2 })).toEqual({
			kind: "finalize",
		});
		expect(finalizeOutcome(link, { state: "completed", completedEpoch: 3 })).toEqual({
			kind: "reject",
			code: "link-revoked",
		});
		expect(
			finalizeOutcome(
				{ ...link, lateFinalize: "reject" },
				{ state: "completed", completedEpoch: 2 },
			),
		).toEqual({
			kind: "reject",
			code: "link-revoked",
		});
		expect(
			finalizeOutcome({ ...link, state: "deleted" }, { state: "finalized", completedEpoch: 2 }),
		).toEqual({
			kind: "reject",
			code: "link-deleted",
		});
		expect(
			finalizeOutcome({ ...link, state: "active" }, { state: "open", completedEpoch: null }),
		).toEqual({
			kind: "reject",
			code: "upload-incomplete",
		});
		expect(finalizeOutcome(link, { state: "open", completedEpoch: null })).toEqual({
			kind: "reject",
			code: "link-revoked",
		});
		expect(
			finalizeOutcome({ ...link, state: "active" }, { state: "aborted", completedEpoch: null }),
		).toEqual({
			kind: "reject",
			code: "upload-aborted",
		});
	});
});

describe("abort", () => {
	it("drops live sessions, repeats for ended ones, refuses finalized files and running finalizes", () => {
		expect(decideAbort("open", false)).toEqual({ kind: "drop" });
		expect(decideAbort("completed", false)).toEqual({ kind: "drop" });
		expect(decideAbort("aborted", false)).toEqual({ kind: "noop" });
		expect(decideAbort("rejected", true)).toEqual({ kind: "noop" });
		for (const [state, finalizing] of [
			["finalized", false],
			["completed", true],
			["open", true],
		] as const) {
			const d = decideAbort(state, finalizing);
			expect(d.kind === "refuse" && d.problem.code).toBe("upload-state-conflict");
		}
	});
});

describe("session expiry", () => {
	const idle = 30 * 60 * 1000;

	it("a session expires the idle timeout after its last progress", () => {
		expect(sessionExpiry(1_000, 1_000, idle)).toBe(1_000 + idle);
		expect(sessionExpiry(1_000, 5_000_000, idle, 1_000 + idle)).toBe(5_000_000 + idle);
	});

	it("never beyond 24 h from creation, and never earlier than it already was", () => {
		const created = 1_000;
		const late = created + SESSION_TTL_MS - 60_000;
		expect(sessionExpiry(created, late, idle)).toBe(created + SESSION_TTL_MS);
		expect(sessionExpiry(created, created + SESSION_TTL_MS + 5, idle, 7)).toBe(
			created + SESSION_TTL_MS,
		);
		expect(sessionExpiry(created, 2_000, 10, 9_999_999)).toBe(9_999_999);
		// An idle timeout longer than the cap is the cap.
		expect(sessionExpiry(created, created, 2 * SESSION_TTL_MS)).toBe(created + SESSION_TTL_MS);
	});

	it("reads UPLOAD_IDLE_TIMEOUT_SECONDS, defaulting to 30 minutes", () => {
		expect(idleTimeoutMs("1800")).toBe(idle);
		expect(idleTimeoutMs("60")).toBe(60_000);
		for (const bad of [undefined, "", "0", "-5", "1.5", "abc"])
			expect(idleTimeoutMs(bad), bad).toBe(idle);
	});
});
