/**
 * Whether a download may be answered for the destination the browser says
 * it loads it as (`Sec-Fetch-Dest`). Uploaded bytes, whatever type their
 * uploader gave them, are never a script, style or worker of this origin:
 * should HTML ever be injected into a page, a `<script src>` pointing at a
 * download must not run (docs/web.md#downloads-are-never-scripts).
 */
import { type Problem, problem } from "./problems";

/** Destinations that run or style what they load: scripts, workers and worklets, styles, XSLT. */
export const REFUSED_DOWNLOAD_DESTINATIONS: readonly string[] = [
	"script",
	"style",
	"worker",
	"sharedworker",
	"serviceworker",
	"audioworklet",
	"paintworklet",
	"xslt",
];

/**
 * The problem refusing a download requested with `Sec-Fetch-Dest: dest`, or
 * null when it may be answered (a navigation, a download link, `fetch()`,
 * an image, …; no header at all: not a browser, or one without fetch
 * metadata, which a CSP that does not allow downloads as scripts covers).
 */
export function checkDownloadDestination(dest: string | undefined): Problem | null {
	const value = dest?.trim().toLowerCase();
	if (!value || !REFUSED_DOWNLOAD_DESTINATIONS.includes(value)) return null;
	return problem(
		"download-destination-refused",
		`Uploaded files are not served to be loaded as ${value} (Sec-Fetch-Dest: ${value}); open or download the file instead.`,
	);
}

/**
 * The Content-Type a download is answered with for a file its uploader said
 * is `stored`: the stored type, except for types a browser runs or renders
 * as a document of this origin (HTML, XHTML, SVG and other XML, XSLT,
 * JavaScript, CSS, WebAssembly), answered as `application/octet-stream`.
 * With `nosniff`, a browser then refuses the bytes as a script or style
 * whatever loads them, and nothing on the way (a proxy or an edge that
 * rewrites HTML) transforms them and drops their Content-Length. The file
 * list keeps the stored type.
 */
export function downloadContentType(stored: string): string {
	const essence = stored.split(";")[0]?.trim().toLowerCase() ?? "";
	if (essence === "" || ACTIVE_TYPES.has(essence)) return OCTETS;
	if (/(\+xml|script)$/.test(essence) || essence.includes("javascript")) return OCTETS;
	return stored;
}

const OCTETS = "application/octet-stream";

const ACTIVE_TYPES: ReadonlySet<string> = new Set([
	"text/html",
	"application/xhtml+xml",
	"image/svg+xml",
	"text/xml",
	"application/xml",
	"text/xsl",
	"application/xslt+xml",
	"text/css",
	"application/wasm",
	"text/jscript",
	"text/livescript",
]);
