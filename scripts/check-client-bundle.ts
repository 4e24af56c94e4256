/**
 * Bundles the typed clients (src/client) for a browser and checks that the
 * bundle holds nothing of the Worker: only src/client and the contract's
 * enumerations (src/contract/enums.ts), no bindings, no valibot, no domain.
 * Part of `npm run typecheck`; exits non-zero when the client pulls in more.
 */
import { build } from "esbuild";

const ALLOWED = [/^src\/client\//, /^src\/contract\/enums\.ts$/];

const result = await build({
	entryPoints: ["src/client/index.ts"],
	bundle: true,
	platform: "browser",
	format: "esm",
	write: false,
	metafile: true,
	logLevel: "silent",
});
const inputs = Object.keys(result.metafile.inputs);
const foreign = inputs.filter((path) => !ALLOWED.some((allowed) => allowed.test(path)));
if (foreign.length > 0) {
	console.error(
		`src/client must bundle alone, but its browser bundle pulls in:\n  ${foreign.join("\n  ")}`,
	);
	process.exit(1);
}
const bytes = result.outputFiles.reduce((n, f) => n + f.contents.byteLength, 0);
console.log(`client bundle: ${inputs.length} modules, ${bytes} bytes, browser-safe`);
