/**
 * A human-readable API reference at `/docs`, rendered on the server from the
 * OpenAPI document (no scripts, no CDN), plus the problem-code catalogue at
 * `/docs/problems` that every problem's `type` URI points into. Pages like
 * the others: the pages' headers (security.ts: CSP, never framed, no
 * Referer, no-store) and the site's stylesheet, no inline style.
 */
import { Hono } from "hono";
import { openApiDocument } from "../api/app";
import type { AppEnv } from "../app-env";
import { PROBLEM_CODES } from "../domain/problems";
import { ASSETS_PATH, pageHeaders } from "./security";

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

type Operation = { summary?: string; responses?: Record<string, { description?: string }> };
const METHODS = ["get", "put", "post", "delete", "patch"] as const;

export function renderReference(spec: { paths?: object }): string {
	const rows: string[] = [];
	for (const [path, item] of Object.entries(spec.paths ?? {})) {
		for (const method of METHODS) {
			const op = (item as Partial<Record<string, Operation>>)[method];
			if (!op) continue;
			const responses = Object.entries(op.responses ?? {})
				.map(([status, r]) => `<li><code>${esc(status)}</code> ${esc(r.description ?? "")}</li>`)
				.join("");
			rows.push(
				`<section class="panel"><h3><code>${esc(method.toUpperCase())} ${esc(path)}</code></h3><p>${esc(op.summary ?? "")}</p><ul>${responses}</ul></section>`,
			);
		}
	}
	return page(
		"Receive links API reference",
		`<p>Machine-readable: <a href="/openapi.json">/openapi.json</a>. Problem codes: <a href="/docs/problems">/docs/problems</a>.</p>${rows.join("\n")}`,
	);
}

export function renderProblems(): string {
	const rows = Object.entries(PROBLEM_CODES)
		.map(
			([code, { status, title }]) =>
				`<tr id="${esc(code)}"><td><code>${esc(code)}</code></td><td>${status}</td><td>${esc(title)}</td></tr>`,
		)
		.join("\n");
	return page(
		"Problem codes",
		`<p>Every error is <code>application/problem+json</code> (RFC 9457) with a stable <code>code</code>.</p><table><tr><th>code</th><th>status</th><th>meaning</th></tr>${rows}</table>`,
	);
}

function page(title: string, body: string): string {
	return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="stylesheet" href="${ASSETS_PATH}site.css">
</head><body><main id="main"><h1>${esc(title)}</h1>${body}</main></body></html>`;
}

// pageHeaders with use(): this app is mounted at /docs, so it wraps these pages only.
export const docsPages = new Hono<AppEnv>()
	.use(pageHeaders)
	.get("/", async (c) => c.html(renderReference(await openApiDocument())))
	.get("/problems", (c) => c.html(renderProblems()));
