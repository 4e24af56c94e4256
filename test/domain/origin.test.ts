import { describe, expect, it } from "vitest";
import { isLoopbackHost, publicOriginOf } from "../../src/domain/origin";

describe("publicOriginOf", () => {
	it("takes the configured origin, normalized, whatever the request's host", () => {
		expect(publicOriginOf("https://r.example.com", "https://evil.example/api/links")).toBe(
			"https://r.example.com",
		);
		expect(publicOriginOf(" https://R.example.com:443/app/ ", "http://localhost/")).toBe(
			"https://r.example.com",
		);
	});

	it("refuses a configured value that is no http(s) origin", () => {
		for (const bad of ["r.example.com", "ftp://r.example.com", "javascript:alert(1)", "https://"])
			expect(publicOriginOf(bad, "http://localhost/"), bad).toBeNull();
	});

	it("unset: the request's own origin on a loopback host only", () => {
		expect(publicOriginOf("", "http://localhost:8787/api/links")).toBe("http://localhost:8787");
		expect(publicOriginOf(undefined, "http://127.0.0.1:9000/x")).toBe("http://127.0.0.1:9000");
		expect(publicOriginOf("", "http://[::1]:8787/x")).toBe("http://[::1]:8787");
		expect(publicOriginOf("", "https://evil.example/api/links")).toBeNull();
	});
});

describe("isLoopbackHost", () => {
	it("knows the hosts only this machine reaches, and nothing that merely looks like one", () => {
		for (const host of [
			"localhost",
			"LOCALHOST",
			"app.localhost",
			"127.0.0.1",
			"127.1.2.3",
			"[::1]",
		])
			expect(isLoopbackHost(host), host).toBe(true);
		for (const host of [
			"localhost.evil.example",
			"127.0.0.1.evil.example",
			"evil.example",
			"10.0.0.1",
			"[::2]",
		])
			expect(isLoopbackHost(host), host).toBe(false);
	});
});
