#!/usr/bin/env node
// Builds the browser assets of the web pages (docs/web.md) from npm
// packages, no CDN: the uploader page (Uppy over tus), the small script of
// the dashboard and admin console, and their styles, into dist/public/ which
// Workers Static Assets serves (wrangler.toml [assets]). wrangler runs this
// before `wrangler dev` and `wrangler deploy` ([build] in wrangler.toml);
// `npm test` runs it first. `--report` prints each file's size and gzip size
// (the uploader page's JavaScript is reported in BENCHMARKS.md).
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "dist", "public");
const ASSETS = join(OUT, "assets");

/** Headers of every static asset (the Worker sets its own pages' headers). */
const HEADERS = `/*
  X-Content-Type-Options: nosniff
  Referrer-Policy: no-referrer
  Content-Security-Policy: default-src 'none'; frame-ancestors 'none'
  Cross-Origin-Resource-Policy: same-origin
`;

rmSync(OUT, { recursive: true, force: true });
mkdirSync(ASSETS, { recursive: true });

await build({
	absWorkingDir: ROOT,
	entryPoints: {
		uploader: "web/uploader/main.ts",
		pages: "web/pages/main.ts",
		site: "web/site.css",
	},
	outdir: ASSETS,
	bundle: true,
	format: "esm",
	target: ["chrome120", "firefox120", "safari17"],
	minify: true,
	sourcemap: "linked",
	legalComments: "linked",
	logLevel: "warning",
	define: { "process.env.NODE_ENV": '"production"' },
	// Thumbnails are off on the uploader page, so their EXIF reader never runs (web/stubs/exifr.ts).
	alias: { "exifr/dist/mini.esm.mjs": "./web/stubs/exifr.ts" },
});
writeFileSync(join(OUT, "_headers"), HEADERS);

if (process.argv.includes("--report")) {
	const rows = readdirSync(ASSETS)
		.filter((f) => /\.(js|css)$/.test(f))
		.map((f) => {
			const bytes = readFileSync(join(ASSETS, f));
			return {
				file: `assets/${f}`,
				bytes: statSync(join(ASSETS, f)).size,
				gzip: gzipSync(bytes, { level: 9 }).length,
			};
		});
	for (const r of rows)
		console.log(
			`${r.file.padEnd(24)} ${(r.bytes / 1024).toFixed(1).padStart(8)} KiB  gzip ${(r.gzip / 1024).toFixed(1).padStart(7)} KiB`,
		);
}
