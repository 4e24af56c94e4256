/**
 * Which webhook URLs may be registered (docs/webhooks.md, SSRF). Pure: it
 * reads the URL as the WHATWG parser (and so `fetch`) reads it, and judges
 * the host as written. A name that resolves to a private address cannot be
 * seen here (no DNS); the delivery consumer checks again, and the platform's
 * `fetch` does not reach private networks.
 */

export const MAX_WEBHOOK_URL_LENGTH = 2048;

export type UrlCheck = { ok: true; url: string } | { ok: false; reason: string };

export interface UrlCheckOptions {
	/** Development only (WEBHOOK_ALLOW_HTTP_LOOPBACK=1): loopback hosts, over http or https. */
	allowHttpLoopback: boolean;
}

/** Names that reach a cloud provider's instance metadata service. */
const METADATA_NAMES = new Set([
	"metadata",
	"metadata.google.internal",
	"metadata.goog",
	"instance-data",
	"instance-data.ec2.internal",
	"metadata.azure.internal",
]);

/** Suffixes of names that only mean something inside a private network. */
const PRIVATE_SUFFIXES = ["local", "internal", "localdomain", "home.arpa", "intranet", "corp"];

/** IPv4 ranges never reached (RFC 6890 special-purpose, multicast, reserved). */
const IPV4_REFUSED: [string, number, string][] = [
	["0.0.0.0", 8, "an unspecified (this-network) address"],
	["10.0.0.0", 8, "a private address"],
	["100.64.0.0", 10, "a shared (CGNAT) address"],
	["169.254.0.0", 16, "a link-local address (cloud metadata lives here)"],
	["172.16.0.0", 12, "a private address"],
	["192.0.0.0", 24, "an IETF protocol address"],
	["192.0.2.0", 24, "a documentation address"],
	["192.88.99.0", 24, "a 6to4 relay address"],
	["192.168.0.0", 16, "a private address"],
	["198.18.0.0", 15, "a benchmarking address"],
	["198.51.100.0", 24, "a documentation address"],
	["203.0.113.0", 24, "a documentation address"],
	["224.0.0.0", 4, "a multicast address"],
	["240.0.0.0", 4, "a reserved or broadcast address"],
];

const refuse = (reason: string): UrlCheck => ({ ok: false, reason });

/** The IPv4 address `a.b.c.d` (canonical dotted decimal only) as a 32-bit number, or null. */
function ipv4Number(host: string): number | null {
	const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
	if (!m) return null;
	let n = 0;
	for (const part of m.slice(1)) {
		if (part.length > 1 && part.startsWith("0")) return null;
		const byte = Number(part);
		if (byte > 255) return null;
		n = n * 256 + byte;
	}
	return n;
}

function inV4(n: number, base: string, bits: number): boolean {
	const b = ipv4Number(base) ?? 0;
	const size = 2 ** (32 - bits);
	return Math.floor(n / size) === Math.floor(b / size);
}

/** Loopback, refused (with why), or null: public. */
type Verdict = { kind: "loopback" } | { kind: "refused"; why: string } | null;

/** What kind of IPv4 address `n` is: loopback, refused (with why), or public. */
function classifyV4(n: number): Verdict {
	if (inV4(n, "127.0.0.0", 8)) return { kind: "loopback" };
	for (const [base, bits, why] of IPV4_REFUSED) {
		if (inV4(n, base, bits)) return { kind: "refused", why };
	}
	return null;
}

/** The 8 groups of an IPv6 address (as the URL parser writes it, without brackets), or null. */
function ipv6Groups(text: string): number[] | null {
	let host = text;
	const tail: number[] = [];
	const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(host);
	if (dotted?.[1] && dotted[2]) {
		const v4 = ipv4Number(dotted[2]);
		if (v4 === null) return null;
		tail.push(Math.floor(v4 / 65536), v4 % 65536);
		host = dotted[1].endsWith("::") ? dotted[1] : dotted[1].slice(0, -1);
	}
	const halves = host.split("::");
	if (halves.length > 2) return null;
	const parse = (s: string) => (s === "" ? [] : s.split(":").map((g) => Number.parseInt(g, 16)));
	const head = parse(halves[0] ?? "");
	const rest = halves.length === 2 ? parse(halves[1] ?? "") : [];
	const explicit = head.length + rest.length + tail.length;
	if (halves.length === 1 && explicit !== 8) return null;
	if (explicit > 8) return null;
	const groups = [...head, ...new Array<number>(8 - explicit).fill(0), ...rest, ...tail];
	return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

const dotted = (n: number) =>
	[n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].map(String).join(".");
/** The 32 bits of groups `hi` and `lo`. */
const v4Of = (hi: number, lo: number) => hi * 0x10000 + lo;

/**
 * RFC 6052 readings of a local-use NAT64 address (64:ff9b:1::/48): the IPv4
 * address for each prefix length a network may use inside it (/48, /56, /64,
 * /96), kept only when the bits after it are zero as that length requires.
 * Bits 64 to 71 must be zero whatever the length; when they are not, there is
 * no reading.
 */
function localNat64Readings(g: number[]): number[] {
	const [, , , g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
	if (g4 >> 8 !== 0) return [];
	const lo = (x: number) => x & 0xff;
	const hi = (x: number) => x >> 8;
	const readings: [number, boolean][] = [
		[v4Of(g3, (lo(g4) << 8) | hi(g5)), lo(g5) === 0 && g6 === 0 && g7 === 0],
		[((lo(g3) << 24) | (lo(g4) << 16) | g5) >>> 0, g6 === 0 && g7 === 0],
		[((lo(g4) << 24) | (g5 << 8) | hi(g6)) >>> 0, lo(g6) === 0 && g7 === 0],
		[v4Of(g6, g7), true],
	];
	return readings.filter(([, clean]) => clean).map(([n]) => n);
}

/**
 * The IPv4 addresses an IPv6 address carries, and the name of its form:
 * IPv4-mapped (::ffff:0:0/96), IPv4-translated (::ffff:0:0:0/96),
 * IPv4-compatible (::/96), NAT64 (64:ff9b::/96, and 64:ff9b:1::/48 read as
 * localNat64Readings does), 6to4 (2002::/16) and Teredo (2001::/32: its server,
 * and its client, whose address is the last 32 bits inverted). Null when the
 * address is none of these. A form with no addresses (the rest of
 * 64:ff9b::/32) is refused as it is.
 */
function embeddedV4(g: number[]): { form: string; v4: number[] } | null {
	const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
	const last = v4Of(g6, g7);
	const zeroTo3 = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0;
	if (zeroTo3 && g4 === 0 && g5 === 0xffff) return { form: "IPv4-mapped", v4: [last] };
	if (zeroTo3 && g4 === 0xffff && g5 === 0) return { form: "IPv4-translated", v4: [last] };
	if (zeroTo3 && g4 === 0 && g5 === 0) return { form: "IPv4-compatible", v4: [last] };
	if (g0 === 0x64 && g1 === 0xff9b) {
		if (g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return { form: "NAT64", v4: [last] };
		if (g2 === 1) return { form: "local-use NAT64", v4: localNat64Readings(g) };
		return { form: "NAT64", v4: [] };
	}
	if (g0 === 0x2002) return { form: "6to4", v4: [v4Of(g1, g2)] };
	if (g0 === 0x2001 && g1 === 0) return { form: "Teredo", v4: [0xffffffff - last, v4Of(g2, g3)] };
	return null;
}

/**
 * Refused (with why) or public, for an IPv6 address that carries IPv4: judged
 * as the IPv4 address would be, loopback included (only `::1` is loopback
 * here), and refused when any address it may carry is not public.
 */
function classifyEmbedded(e: { form: string; v4: number[] }): Verdict {
	const article = /^[aeiou]/i.test(e.form) ? "an" : "a";
	if (e.v4.length === 0)
		return { kind: "refused", why: `${article} ${e.form} address that carries no IPv4 address` };
	for (const n of e.v4) {
		const c = classifyV4(n);
		if (c === null) continue;
		const what = c.kind === "loopback" ? "a loopback address" : c.why;
		return { kind: "refused", why: `${article} ${e.form} address of ${dotted(n)}, ${what}` };
	}
	return null;
}

/** Loopback, refused (with why) or public, for an IPv6 address. */
function classifyV6(g: number[]): Verdict {
	const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
	const zeroTo6 = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0 && g6 === 0;
	if (zeroTo6 && g7 === 0) return { kind: "refused", why: "the unspecified address" };
	if (zeroTo6 && g7 === 1) return { kind: "loopback" };
	// IPv4 inside IPv6 reaches that IPv4 address (directly, or through a translator or relay).
	const embedded = embeddedV4(g);
	if (embedded) return classifyEmbedded(embedded);
	if (g0 === 0x2001 && g1 === 0xdb8) return { kind: "refused", why: "a documentation address" };
	if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0)
		return { kind: "refused", why: "a discard-only address" };
	if ((g0 & 0xfe00) === 0xfc00) return { kind: "refused", why: "a unique-local address" };
	if ((g0 & 0xffc0) === 0xfe80) return { kind: "refused", why: "a link-local address" };
	if ((g0 & 0xffc0) === 0xfec0) return { kind: "refused", why: "a site-local address" };
	if ((g0 & 0xff00) === 0xff00) return { kind: "refused", why: "a multicast address" };
	return null;
}

/** The host exactly as written between `//` (after any userinfo) and the port, lower-cased. */
function writtenHost(url: string): string {
	const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url)?.[1] ?? "";
	const host = authority.slice(authority.lastIndexOf("@") + 1);
	return (host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.replace(/:\d*$/, ""))
		.toLowerCase()
		.replace(/\.$/, "");
}

/**
 * Whether `url` may be registered as a webhook endpoint, and its normalized
 * form. Refused: anything but https (http only for a loopback host, and only
 * when `allowHttpLoopback`); credentials in the URL; hosts that are literal
 * private, shared, link-local, unique-local, unspecified, multicast,
 * broadcast, reserved or documentation addresses, IPv6 forms that carry such
 * an IPv4 address or a loopback one (mapped, translated, compatible, NAT64,
 * 6to4, Teredo: judged by the IPv4 address, so a public one is accepted),
 * IPv4 written other than in dotted decimal (`2130706433`, `0x7f.1`),
 * metadata service names, single-label and private-use names (`.local`,
 * `.internal`), loopback (`localhost`, `*.localhost`, 127/8, ::1) unless
 * allowed; URLs over 2,048 characters.
 */
export function checkWebhookUrl(url: string, opts: UrlCheckOptions): UrlCheck {
	if (url.length > MAX_WEBHOOK_URL_LENGTH)
		return refuse(`The URL is longer than ${MAX_WEBHOOK_URL_LENGTH} characters.`);
	if (!/^[\x21-\x7e]+$/.test(url) || url.includes("\\"))
		return refuse(
			"The URL may hold only visible ASCII characters, without backslashes (write international names in punycode).",
		);
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return refuse("This is not an absolute URL.");
	}
	if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
		return refuse("Only https URLs are accepted.");
	if (
		parsed.username !== "" ||
		parsed.password !== "" ||
		/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url)
	)
		return refuse("The URL may not carry credentials (user:password@).");

	const host = parsed.hostname.toLowerCase().replace(/\.$/, "");
	const loopback = isLoopback(host);
	if (loopback === "refused") return refuse(refusedWhy(host));
	if (loopback) {
		if (!opts.allowHttpLoopback) return refuse("Loopback hosts are not accepted.");
	} else {
		if (parsed.protocol !== "https:")
			return refuse(
				opts.allowHttpLoopback
					? "Only https URLs are accepted (http only for a loopback host)."
					: "Only https URLs are accepted.",
			);
		const why = nameRefusal(host);
		if (why) return refuse(why);
	}
	if (ipv4Number(host) !== null && writtenHost(url) !== host)
		return refuse(`Write IPv4 addresses in dotted decimal (this one reads as ${host}).`);
	const href = parsed.href;
	if (href.length > MAX_WEBHOOK_URL_LENGTH)
		return refuse(`The URL is longer than ${MAX_WEBHOOK_URL_LENGTH} characters.`);
	return { ok: true, url: href };
}

/** true: a loopback host (as the URL parser writes it); false: not one; "refused": an address refused outright. */
export function isLoopback(host: string): boolean | "refused" {
	if (host === "localhost" || host.endsWith(".localhost")) return true;
	const v4 = ipv4Number(host);
	if (v4 !== null) {
		const c = classifyV4(v4);
		return c === null ? false : c.kind === "loopback" ? true : "refused";
	}
	if (host.startsWith("[")) {
		const groups = ipv6Groups(host.slice(1, -1));
		if (groups === null) return "refused";
		const c = classifyV6(groups);
		return c === null ? false : c.kind === "loopback" ? true : "refused";
	}
	return false;
}

function refusedWhy(host: string): string {
	const v4 = ipv4Number(host);
	const c =
		v4 !== null
			? classifyV4(v4)
			: host.startsWith("[")
				? classifyV6(ipv6Groups(host.slice(1, -1)) ?? [])
				: null;
	const why = c?.kind === "refused" ? c.why : "a reserved address";
	return `The host ${host} is ${why}.`;
}

/** Why a host name (not an address) is refused, or null. */
function nameRefusal(host: string): string | null {
	if (METADATA_NAMES.has(host)) return `The host ${host} is a metadata service.`;
	if (host.startsWith("[") || ipv4Number(host) !== null) return null;
	if (!host.includes(".")) return `The host ${host} is not a fully qualified name.`;
	const suffix = PRIVATE_SUFFIXES.find((s) => host === s || host.endsWith(`.${s}`));
	if (suffix) return `Names under .${suffix} are private to a network.`;
	return null;
}
