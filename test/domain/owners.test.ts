import { describe, expect, it } from "vitest";
import { newOwner, storedApiKey } from "../../src/domain/owners";

describe("owners and their keys", () => {
	it("keeps a key's hash and first 8 characters, never the key", () => {
		const key = "rlk_abcdefghijklmnopqrstuvwxyz";
		expect(storedApiKey(key, "f00d")).toEqual({ keyHash: "f00d", keyPrefix: "rlk_abcd" });
	});

	it("stores a new owner without an e-mail as null", () => {
		expect(newOwner({ name: "Ada" }, "own_1", "2026-12-03T10:00:00.000Z")).toEqual({
			id: "own_1",
			name: "Ada",
			email: null,
			createdAt: "2026-12-03T10:00:00.000Z",
		});
		expect(newOwner({ name: "Ada", email: "a@example.com" }, "own_1", "t").email).toBe(
			"a@example.com",
		);
	});
});
