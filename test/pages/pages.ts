/**
 * Builders for tests of the web pages in the Workers runtime: a signed-in
 * owner's session cookie (taken from the sign-in answer's Set-Cookie and sent
 * back by hand), page GETs and form POSTs with any Origin.
 */
import { expect } from "vitest";
import { call, createOwner, ORIGIN } from "../helpers";

/** Signs in with `apiKey` through the sign-in form; answers the `name=value` of the session cookie. */
export async function signInOwner(apiKey: string): Promise<string> {
	const res = await postForm("/app/sign-in", null, { credential: apiKey });
	expect(res.status).toBe(303);
	const cookie = res.headers.get("set-cookie") ?? "";
	const pair = /^(__Host-rl-app=[^;]+)/.exec(cookie)?.[1];
	if (!pair) throw new Error(`no session cookie in ${cookie}`);
	return pair;
}

/** A new owner, signed in: its API key and session cookie. */
export async function ownerSession(name = "Owner") {
	const owner = await createOwner(name);
	return { ...owner, cookie: await signInOwner(owner.apiKey) };
}

/** A page GET with the session cookie (redirects are not followed). */
export function getPage(path: string, cookie: string | null, headers: Record<string, string> = {}) {
	return call(path, {
		headers: { ...(cookie ? { Cookie: cookie } : {}), Accept: "text/html", ...headers },
		redirect: "manual",
	});
}

/** A form POST as a browser sends it, from `origin` (this site unless told otherwise). */
export function postForm(
	path: string,
	cookie: string | null,
	fields: Record<string, string>,
	origin = ORIGIN,
) {
	return call(path, {
		method: "POST",
		headers: {
			"Content-Type": "application/x-www-form-urlencoded",
			Origin: origin,
			...(cookie ? { Cookie: cookie } : {}),
		},
		body: new URLSearchParams(fields).toString(),
		redirect: "manual",
	});
}

/** The fields of a new link's form, as a person fills them in (strings, MiB). */
export function newLinkForm(extra: Record<string, string> = {}): Record<string, string> {
	return {
		title: "Tax papers",
		description: "",
		maxFileMiB: "20",
		maxFiles: "",
		maxTotalMiB: "",
		allowedExtensions: "pdf, png",
		allowedMimeTypes: "",
		expiresAt: "",
		lateFinalize: "recover",
		...extra,
	};
}

/** The value of a hidden or text input named `name` in `html`. */
export function inputValue(html: string, name: string): string | null {
	const m = new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(html);
	return m?.[1] === undefined ? null : m[1].replace(/&quot;/g, '"').replace(/&amp;/g, "&");
}

/** Every hidden input of `html` as form fields (what a browser sends back). */
export function hiddenFields(html: string): Record<string, string> {
	const fields: Record<string, string> = {};
	for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g))
		if (m[1] !== undefined && m[2] !== undefined)
			fields[m[1]] = m[2]
				.replace(/&quot;/g, '"')
				.replace(/&#39;/g, "'")
				.replace(/&amp;/g, "&");
	return fields;
}
