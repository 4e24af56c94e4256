/**
 * The public origin the service names itself by in the URLs it hands out
 * (`uploadUrl`, the tus `Location`). It comes from configuration
 * (`PUBLIC_ORIGIN`, docs/deploy.md), never from the request's Host header,
 * which a client chooses: `Host: evil.example` must not turn into an upload
 * URL (with its secret) on someone else's host. Only a request to a loopback
 * host (local development, tests) may name its own origin when none is set.
 */
import { isLoopback } from "./ssrf";

/** The configured origin (normalized), the request's own on loopback when none is set, else null. */
export function publicOriginOf(configured: string | undefined, requestUrl: string): string | null {
	const value = configured?.trim() ?? "";
	if (value !== "") {
		const url = parsed(value);
		return url && (url.protocol === "https:" || url.protocol === "http:") ? url.origin : null;
	}
	const request = parsed(requestUrl);
	return request && isLoopbackHost(request.hostname) ? request.origin : null;
}

/** `localhost`, `*.localhost`, 127.0.0.0/8 and `[::1]` (the SSRF guard's rule): a host only this machine reaches. */
export function isLoopbackHost(hostname: string): boolean {
	return isLoopback(hostname.toLowerCase()) === true;
}

function parsed(value: string): URL | null {
	try {
		return new URL(value);
	} catch {
		return null;
	}
}
