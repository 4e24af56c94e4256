/**
 * Writes the OpenAPI document the Worker serves at /openapi.json to
 * dist/openapi.json, for `npm run lint:openapi` (redocly lint). The Worker's
 * sources are bundled with esbuild (the API's modules never touch a binding
 * at import time; `cloudflare:*` modules are stubbed, since only the Durable
 * Object class needs them and the document does not).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { build } from "esbuild";

const result = await build({
	stdin: {
		contents: `export { openApiDocument } from "./src/api/app";`,
		resolveDir: process.cwd(),
		loader: "ts",
	},
	bundle: true,
	platform: "neutral",
	mainFields: ["module", "main"],
	format: "esm",
	write: false,
	logLevel: "silent",
	plugins: [
		{
			name: "stub-cloudflare",
			setup(b) {
				b.onResolve({ filter: /^cloudflare:/ }, (args) => ({ path: args.path, namespace: "stub" }));
				b.onLoad({ filter: /.*/, namespace: "stub" }, () => ({
					contents: "export class DurableObject {}; export const env = {};",
					loader: "js",
				}));
			},
		},
	],
});
const code = result.outputFiles[0]?.text ?? "";
const mod: { openApiDocument: () => Promise<unknown> } = await import(
	`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`
);
await mkdir("dist", { recursive: true });
await writeFile("dist/openapi.json", `${JSON.stringify(await mod.openApiDocument(), null, 2)}\n`);
console.log("dist/openapi.json written");
