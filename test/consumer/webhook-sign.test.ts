import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { newSigningSecret, signatureHeader } from "../../src/lib/webhook-sign";

const ID = "evt_0123456789abcdefghij";
const BODY = JSON.stringify({
	type: "link.paused",
	timestamp: "2026-12-03T10:00:00.000Z",
	data: {},
});
const now = () => Math.floor(Date.now() / 1000);

function headers(id: string, ts: number, signature: string) {
	return { "webhook-id": id, "webhook-timestamp": String(ts), "webhook-signature": signature };
}

describe("webhook signatures (Standard Webhooks)", () => {
	it("verifies with the standardwebhooks reference library", async () => {
		const secret = newSigningSecret();
		const ts = now();
		const sig = await signatureHeader([secret], ID, ts, BODY);
		expect(sig).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
		expect(new Webhook(secret).verify(BODY, headers(ID, ts, sig))).toEqual(JSON.parse(BODY));
	});

	it("equals the reference library's own signature", async () => {
		const secret = newSigningSecret();
		const ts = now();
		expect(await signatureHeader([secret], ID, ts, BODY)).toBe(
			new Webhook(secret).sign(ID, new Date(ts * 1000), BODY),
		);
	});

	it("signs with both secrets during a rotation: either one verifies", async () => {
		const [current, previous] = [newSigningSecret(), newSigningSecret()];
		const ts = now();
		const sig = await signatureHeader([current, previous], ID, ts, BODY);
		expect(sig.split(" ")).toHaveLength(2);
		expect(() => new Webhook(current).verify(BODY, headers(ID, ts, sig))).not.toThrow();
		expect(() => new Webhook(previous).verify(BODY, headers(ID, ts, sig))).not.toThrow();
		expect(() => new Webhook(newSigningSecret()).verify(BODY, headers(ID, ts, sig))).toThrow();
	});

	it("fails for a tampered body, timestamp or id", async () => {
		const secret = newSigningSecret();
		const ts = now();
		const sig = await signatureHeader([secret], ID, ts, BODY);
		const wh = new Webhook(secret);
		expect(() => wh.verify(`${BODY} `, headers(ID, ts, sig))).toThrow();
		expect(() => wh.verify(BODY, headers(ID, ts - 1, sig))).toThrow();
		expect(() => wh.verify(BODY, headers("evt_other0123456789abcd", ts, sig))).toThrow();
	});
});
