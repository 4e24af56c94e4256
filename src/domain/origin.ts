/**
 * The public origin the service names itself by in the URLs it hands out
 * (`uploadUrl`, the tus `Location`). It comes from configuration
 * (`PUBLIC_ORIGIN`, docs/deploy.md), never from the request's Host header,
 * which a client chooses: `Host: evil.example` must not turn into an upload
 * URL (with its secret) on someone else's host. Only a request to a loopback
 * host (local development, tests) may name its own origin when none is set.
 */

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

/** `localhost`, `*.localhost`, 127.0.0.0/8 and `[::1]`: a host only this machine reaches. */
export function isLoopbackHost(hostname: string): boolean {
	const host = hostname.toLowerCase();
	return (
		host === "localhost" ||
		host.endsWith(".localhost") ||
		host === "[::1]" ||
		/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
	);
}

function parsed(value: string): URL | null {
	try {
		return new URL(value);
	} catch {
		return null;
	}
}
