/**
 * The webhook URL guard (src/domain/ssrf.ts), case by case: what may be
 * registered, with loopback refused (production) and allowed (development).
 */
import { describe, expect, it } from "vitest";
import { checkWebhookUrl, MAX_WEBHOOK_URL_LENGTH } from "../../src/domain/ssrf";

const PROD = { allowHttpLoopback: false };
const DEV = { allowHttpLoopback: true };

/** Accepted in both modes, with the normalized URL. */
const ACCEPTED: [string, string][] = [
	["https://example.com/hook", "https://example.com/hook"],
	["https://EXAMPLE.com/Hook?x=1", "https://example.com/Hook?x=1"],
	["https://example.com", "https://example.com/"],
	["https://hooks.example.co.uk:8443/a/b", "https://hooks.example.co.uk:8443/a/b"],
	["https://example.com:1/odd-port", "https://example.com:1/odd-port"],
	["https://example.com:65535/", "https://example.com:65535/"],
	["https://example.com:443/", "https://example.com/"],
	["https://example.com./trailing-dot", "https://example.com./trailing-dot"],
	["https://8.8.8.8/public-v4", "https://8.8.8.8/public-v4"],
	["https://1.1.1.1:8443/", "https://1.1.1.1:8443/"],
	["https://172.32.0.1/just-past-172.16/12", "https://172.32.0.1/just-past-172.16/12"],
	["https://100.128.0.1/just-past-cgnat", "https://100.128.0.1/just-past-cgnat"],
	["https://192.169.0.1/", "https://192.169.0.1/"],
	["https://[2606:4700:4700::1111]/", "https://[2606:4700:4700::1111]/"],
	["https://[2a00:1450:4001:80b::200e]:8443/x", "https://[2a00:1450:4001:80b::200e]:8443/x"],
	["https://xn--bcher-kva.example/", "https://xn--bcher-kva.example/"],
	["https://example.com/path@not-userinfo", "https://example.com/path@not-userinfo"],
	["https://localhost.example.com/", "https://localhost.example.com/"],
	["https://metadata.example.com/", "https://metadata.example.com/"],
	["https://example.com/#frag", "https://example.com/#frag"],
];

/** Refused in production, each with a word the reason must contain. */
const REFUSED: [string, RegExp][] = [
	// schemes
	["http://example.com/hook", /https/],
	["ftp://example.com/", /https/],
	["file:///etc/passwd", /https/],
	["javascript:alert(1)", /https/],
	["data:text/plain,hi", /https/],
	["ws://example.com/", /https/],
	["wss://example.com/", /https/],
	// not a URL
	["", /absolute URL|visible ASCII/],
	["example.com/hook", /absolute URL/],
	["/relative", /absolute URL/],
	["https://", /absolute URL/],
	["https://999.1.1.1/", /absolute URL/],
	["https://[::1/", /absolute URL/],
	// characters
	["https://exa mple.com/", /visible ASCII/],
	["https://example.com/\n", /visible ASCII/],
	["https://example.com\t/", /visible ASCII/],
	["https://bücher.example/", /visible ASCII/],
	["https://example.com\\@127.0.0.1/", /backslash/],
	// credentials
	["https://user:pass@example.com/", /credentials/],
	["https://user@example.com/", /credentials/],
	["https://:pass@example.com/", /credentials/],
	["https://@example.com/", /credentials/],
	["https://example.com@127.0.0.1/", /credentials|[Ll]oopback/],
	// loopback (production)
	["https://localhost/", /[Ll]oopback/],
	["https://LOCALHOST:8443/", /[Ll]oopback/],
	["https://localhost./", /[Ll]oopback/],
	["https://api.localhost/", /[Ll]oopback/],
	["https://127.0.0.1/", /[Ll]oopback/],
	["https://127.255.255.254/", /[Ll]oopback/],
	["https://[::1]/", /[Ll]oopback/],
	["https://[0:0:0:0:0:0:0:1]/", /[Ll]oopback/],
	["http://127.0.0.1:8787/", /[Ll]oopback/],
	// other notations of IPv4 (the URL parser reads them all as dotted decimal)
	["https://2130706433/", /[Ll]oopback/],
	["https://0x7f000001/", /[Ll]oopback/],
	["https://0x7f.1/", /[Ll]oopback/],
	["https://0177.0.0.1/", /[Ll]oopback/],
	["https://127.1/", /[Ll]oopback/],
	["https://0x08080808/", /dotted decimal/],
	["https://134744072/", /dotted decimal/],
	["https://010.010.010.010/", /dotted decimal.*8\.8\.8\.8/],
	["https://0xa9.0xfe.0xa9.0xfe/", /link-local/],
	["https://3232235521/", /private/],
	// private, shared, link-local
	["https://10.0.0.1/", /private/],
	["https://10.255.255.255/", /private/],
	["https://172.16.0.1/", /private/],
	["https://172.31.255.255/", /private/],
	["https://192.168.1.1/", /private/],
	["https://100.64.0.1/", /CGNAT/],
	["https://100.127.255.255/", /CGNAT/],
	["https://169.254.169.254/latest/meta-data/", /link-local/],
	["https://169.254.0.1/", /link-local/],
	// unspecified, multicast, broadcast, reserved, documentation
	["https://0.0.0.0/", /unspecified/],
	["https://0/", /unspecified/],
	["https://0.1.2.3/", /unspecified/],
	["https://224.0.0.1/", /multicast/],
	["https://239.255.255.250/", /multicast/],
	["https://255.255.255.255/", /broadcast/],
	["https://240.0.0.1/", /reserved/],
	["https://192.0.2.1/", /documentation/],
	["https://198.51.100.7/", /documentation/],
	["https://203.0.113.9/", /documentation/],
	["https://198.18.0.1/", /benchmarking/],
	["https://192.0.0.8/", /IETF/],
	// IPv6
	["https://[::]/", /unspecified/],
	["https://[fe80::1]/", /link-local/],
	["https://[febf:ffff::1]/", /link-local/],
	["https://[fc00::1]/", /unique-local/],
	["https://[fd12:3456:789a::1]/", /unique-local/],
	["https://[fec0::1]/", /site-local/],
	["https://[ff02::1]/", /multicast/],
	// IPv4 inside IPv6: judged by the IPv4 address it carries (EMBEDDED_V4 below)
	["https://[64:ff9b::1:a00:1]/", /NAT64/],
	["https://[64:ff9b:2::808:808]/", /NAT64/],
	["https://[64:ff9b:1:0:100::808:808]/", /NAT64/],
	["https://[2001:db8::1]/", /documentation/],
	["https://[100::1]/", /discard/],
	// metadata and private names
	["https://metadata.google.internal/computeMetadata/v1/", /metadata/],
	["https://METADATA.GOOGLE.INTERNAL./", /metadata/],
	["https://metadata/", /metadata/],
	["https://metadata.goog/", /metadata/],
	["https://instance-data/", /metadata/],
	["https://instance-data.ec2.internal/", /metadata/],
	["https://intranet/", /fully qualified|private/],
	["https://printer/", /fully qualified/],
	["https://nas.local/", /\.local/],
	["https://db.internal/", /\.internal/],
	["https://router.home.arpa/", /home\.arpa/],
	["https://box.localdomain/", /localdomain/],
];

/**
 * Every IPv6 form that carries an IPv4 address, each with a loopback, a
 * private, a link-local (metadata) and a public IPv4 inside: refused as the
 * IPv4 address would be, the public one accepted (written as the parser
 * writes it). `form` is the word the reason names.
 */
const EMBEDDED_V4: {
	form: RegExp;
	loopback: string[];
	private: string[];
	linkLocal: string[];
	public: [string, string][];
}[] = [
	{
		form: /IPv4-mapped/,
		loopback: ["https://[::ffff:127.0.0.1]/", "https://[::ffff:7f00:1]/"],
		private: ["https://[::ffff:10.0.0.1]/", "https://[::ffff:c0a8:101]/"],
		linkLocal: ["https://[::ffff:169.254.169.254]/", "https://[::ffff:a9fe:a9fe]/"],
		public: [["https://[::ffff:8.8.8.8]/", "https://[::ffff:808:808]/"]],
	},
	{
		// ::ffff:0:0/96 (RFC 2765 section 2.1): the finding's two URLs.
		form: /IPv4-translated/,
		loopback: ["https://[::ffff:0:7f00:1]/", "https://[::ffff:0:127.0.0.1]/"],
		private: ["https://[::ffff:0:a00:1]/", "https://[::ffff:0:172.16.0.1]/"],
		linkLocal: ["https://[::ffff:0:a9fe:a9fe]/", "https://[0:0:0:0:ffff:0:a9fe:a9fe]/"],
		public: [["https://[::ffff:0:8.8.8.8]/", "https://[::ffff:0:808:808]/"]],
	},
	{
		form: /IPv4-compatible/,
		loopback: ["https://[::127.0.0.1]/", "https://[::7f00:1]/"],
		private: ["https://[::10.0.0.1]/", "https://[::c0a8:1]/"],
		linkLocal: ["https://[::169.254.169.254]/"],
		public: [["https://[::8.8.8.8]/", "https://[::808:808]/"]],
	},
	{
		form: /NAT64/,
		loopback: ["https://[64:ff9b::7f00:1]/", "https://[64:ff9b::127.0.0.1]/"],
		private: ["https://[64:ff9b::a00:1]/", "https://[64:ff9b::192.168.0.1]/"],
		linkLocal: ["https://[64:ff9b::a9fe:a9fe]/"],
		public: [["https://[64:ff9b::8.8.8.8]/", "https://[64:ff9b::808:808]/"]],
	},
	{
		// 64:ff9b:1::/48 (RFC 8215): the IPv4 address sits where the network's
		// prefix length puts it (RFC 6052: /48, /56, /64 or /96).
		form: /NAT64/,
		loopback: ["https://[64:ff9b:1::7f00:1]/", "https://[64:ff9b:1:7f00:0:100::]/"],
		private: [
			"https://[64:ff9b:1::a00:1]/",
			"https://[64:ff9b:1:a00:0:100::]/",
			"https://[64:ff9b:1:a:0:1::]/",
			"https://[64:ff9b:1::a:0:100:0]/",
		],
		linkLocal: ["https://[64:ff9b:1::a9fe:a9fe]/", "https://[64:ff9b:1:a9fe:a9:fe00::]/"],
		public: [["https://[64:ff9b:1::8.8.8.8]/", "https://[64:ff9b:1::808:808]/"]],
	},
	{
		form: /6to4/,
		loopback: ["https://[2002:7f00:1::]/", "https://[2002:7f00:1::1]/"],
		private: ["https://[2002:a00:1::1]/", "https://[2002:c0a8:101:1::1]/"],
		linkLocal: ["https://[2002:a9fe:a9fe::1]/"],
		public: [["https://[2002:808:808::1]/", "https://[2002:808:808::1]/"]],
	},
	{
		// 2001::/32 (RFC 4380): server 65.54.227.120; the client's IPv4 is the
		// last 32 bits inverted (127.0.0.1 is 80ff:fffe).
		form: /Teredo/,
		loopback: ["https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/"],
		private: [
			"https://[2001:0:4136:e378::f5ff:fffe]/",
			"https://[2001:0:a00:1:8000:63bf:f7f7:f7f7]/",
		],
		linkLocal: ["https://[2001:0:4136:e378:8000:63bf:5601:5601]/"],
		public: [
			[
				"https://[2001:0:4136:e378:8000:63bf:f7f7:f7f7]/",
				"https://[2001:0:4136:e378:8000:63bf:f7f7:f7f7]/",
			],
		],
	},
];

describe("checkWebhookUrl: IPv4 inside IPv6 is judged by the IPv4 address", () => {
	for (const row of EMBEDDED_V4) {
		const cases: [string, RegExp][] = [
			...row.loopback.map((u): [string, RegExp] => [u, /loopback/]),
			...row.private.map((u): [string, RegExp] => [u, /private/]),
			...row.linkLocal.map((u): [string, RegExp] => [u, /link-local/]),
		];
		for (const [url, kind] of cases) {
			it(`refuses ${url} (${row.form.source}, ${kind.source}) in production and in development`, () => {
				for (const mode of [PROD, DEV]) {
					const result = checkWebhookUrl(url, mode);
					expect(result.ok).toBe(false);
					if (!result.ok) {
						expect(result.reason).toMatch(row.form);
						expect(result.reason).toMatch(kind);
					}
				}
			});
		}
		for (const [url, normalized] of row.public) {
			it(`accepts ${url} (${row.form.source} of a public address)`, () => {
				expect(checkWebhookUrl(url, PROD)).toEqual({ ok: true, url: normalized });
			});
		}
	}

	it("names the IPv4 address it found in the reason", () => {
		const translated = checkWebhookUrl("https://[::ffff:0:7f00:1]/", PROD);
		expect(translated).toEqual({
			ok: false,
			reason:
				"The host [::ffff:0:7f00:1] is an IPv4-translated address of 127.0.0.1, a loopback address.",
		});
		expect(checkWebhookUrl("https://[2001:0:4136:e378::f5ff:fffe]/", PROD)).toMatchObject({
			ok: false,
			reason: expect.stringMatching(/a Teredo address of 10\.0\.0\.1, a private address/),
		});
		expect(checkWebhookUrl("https://[::ffff:0:a9fe:a9fe]/", PROD)).toMatchObject({
			ok: false,
			reason: expect.stringMatching(/169\.254\.169\.254, a link-local address/),
		});
	});
});

describe("checkWebhookUrl: accepted", () => {
	for (const [url, normalized] of ACCEPTED) {
		it(`accepts ${url}`, () => {
			expect(checkWebhookUrl(url, PROD)).toEqual({ ok: true, url: normalized });
			expect(checkWebhookUrl(url, DEV)).toEqual({ ok: true, url: normalized });
		});
	}
});

describe("checkWebhookUrl: refused in production", () => {
	for (const [url, reason] of REFUSED) {
		it(`refuses ${JSON.stringify(url)}`, () => {
			const result = checkWebhookUrl(url, PROD);
			expect(result.ok).toBe(false);
			if (!result.ok) expect(result.reason).toMatch(reason);
		});
	}
});

describe("checkWebhookUrl: loopback in development", () => {
	const LOOPBACK_ALLOWED: [string, string][] = [
		["http://localhost:8787/hook", "http://localhost:8787/hook"],
		["http://127.0.0.1:9000/", "http://127.0.0.1:9000/"],
		["http://127.8.9.10/", "http://127.8.9.10/"],
		["http://[::1]:9000/x", "http://[::1]:9000/x"],
		["http://receiver.localhost/", "http://receiver.localhost/"],
		["https://localhost/", "https://localhost/"],
		["https://127.0.0.1:8443/", "https://127.0.0.1:8443/"],
	];
	for (const [url, normalized] of LOOPBACK_ALLOWED) {
		it(`accepts ${url} only when loopback is allowed`, () => {
			expect(checkWebhookUrl(url, DEV)).toEqual({ ok: true, url: normalized });
			const prod = checkWebhookUrl(url, PROD);
			expect(prod.ok).toBe(false);
			if (!prod.ok) expect(prod.reason).toMatch(/[Ll]oopback/);
		});
	}

	const STILL_REFUSED: [string, RegExp][] = [
		["http://example.com/", /http only for a loopback host/],
		["http://10.0.0.1/", /private/],
		["http://192.168.0.10:8080/", /private/],
		["http://169.254.169.254/", /link-local/],
		["http://metadata.google.internal/", /https/],
		["http://[::ffff:127.0.0.1]/", /IPv4-mapped/],
		["http://2130706433/", /dotted decimal/],
		["http://0x7f.1/", /dotted decimal/],
		["http://127.1/", /dotted decimal/],
		["http://user:pw@localhost/", /credentials/],
		["https://[fe80::1]/", /link-local/],
		["https://0.0.0.0/", /unspecified/],
	];
	for (const [url, reason] of STILL_REFUSED) {
		it(`still refuses ${url}`, () => {
			const result = checkWebhookUrl(url, DEV);
			expect(result.ok).toBe(false);
			if (!result.ok) expect(result.reason).toMatch(reason);
		});
	}
});

describe("checkWebhookUrl: length", () => {
	const prefix = "https://example.com/";
	it(`accepts ${MAX_WEBHOOK_URL_LENGTH} characters and refuses one more`, () => {
		const exact = prefix + "a".repeat(MAX_WEBHOOK_URL_LENGTH - prefix.length);
		expect(checkWebhookUrl(exact, PROD)).toEqual({ ok: true, url: exact });
		const over = `${exact}a`;
		const result = checkWebhookUrl(over, PROD);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.reason).toMatch(/2048/);
	});

	it("refuses a URL that normalizes to more than the limit", () => {
		// Each `"` is percent-encoded by the parser: 1 character becomes 3.
		const url = prefix + '"'.repeat(700) + "a".repeat(MAX_WEBHOOK_URL_LENGTH - prefix.length - 700);
		expect(url.length).toBe(MAX_WEBHOOK_URL_LENGTH);
		expect(checkWebhookUrl(url, PROD).ok).toBe(false);
	});
});
