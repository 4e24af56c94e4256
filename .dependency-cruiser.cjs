/**
 * The folder rules of docs/architecture.md ("Folder rules"), checked by
 * `npm run lint:deps` (part of `npm test`). Each rule holds one folder to
 * what it may import (besides its own files, npm packages and Node's
 * built-ins where it runs in Node); docs/architecture.md states the same
 * rules in words and changes with this file.
 */

/** Files under `from` may import project files only under `allowed` (type-only imports too unless `typesToo`). */
function onlyFrom(name, comment, from, allowed, { typesAnywhere = [] } = {}) {
	return [
		{
			name,
			comment,
			severity: "error",
			from: { path: from },
			to: {
				path: "^(src|web|cli|scripts|bench|test)/",
				pathNot: [from, ...allowed],
				dependencyTypesNot: ["type-only"],
			},
		},
		{
			name: `${name} (types)`,
			comment,
			severity: "error",
			from: { path: from },
			to: {
				path: "^(src|web|cli|scripts|bench|test)/",
				pathNot: [from, ...allowed, ...typesAnywhere],
				dependencyTypes: ["type-only"],
			},
		},
	];
}

const CONTRACT = "^src/contract/";
const DOMAIN = "^src/domain/";
const LIB = "^src/lib/";
const D1 = "^src/d1/";
const NAMES = "^src/storage/names\\.ts$";
const STORAGE = "^src/storage/";
const CLIENT = "^src/client/";
const DO_CALLS = "^src/do/(rpc|stub)\\.ts$";
const LINK_DO = "^src/do/link-do\\.ts$";
const QUEUES = "^src/queues/";
/** The Hono environment type of the Worker's HTTP surface (bindings and request variables). */
const APP_ENV = "^src/app-env\\.ts$";
const LOG = "^src/lib/log\\.ts$";
/** Every enumeration the wire carries; it imports nothing, so browser and CLI code may run it. */
const ENUMS = "^src/contract/enums\\.ts$";

module.exports = {
	forbidden: [
		{
			name: "no-cycles",
			comment: "No import circle anywhere.",
			severity: "error",
			from: {},
			to: { circular: true },
		},
		...onlyFrom(
			"contract",
			"The wire shapes import nothing of the project: the domain, the clients and the edge build on them.",
			"^src/contract/",
			[],
		),
		...onlyFrom("domain", "Decisions are pure: the domain imports only the contract.", DOMAIN, [
			CONTRACT,
		]),
		...onlyFrom("lib", "Ids, tokens and WebCrypto helpers stand on their own.", LIB, [CONTRACT]),
		...onlyFrom(
			"queues",
			"One module per queue: its message schema, names and send; the only code that sends.",
			QUEUES,
			[CONTRACT, DOMAIN, LIB],
		),
		...onlyFrom(
			"storage",
			"Storage adapters and names import nothing of the project but the lib's logger.",
			STORAGE,
			[LOG],
		),
		...onlyFrom("d1", "One module per D1 table; table names from storage/names.ts.", D1, [
			NAMES,
			CONTRACT,
			DOMAIN,
			LIB,
		]),
		...onlyFrom(
			"client",
			"The typed clients bundle for a browser and a CLI: the contract as types only (and its enumerations).",
			CLIENT,
			[ENUMS],
			{ typesAnywhere: [CONTRACT] },
		),
		...onlyFrom(
			"web",
			"Browser code uses the clients and the contract's types.",
			"^web/",
			[CLIENT, ENUMS],
			{ typesAnywhere: [CONTRACT] },
		),
		...onlyFrom("cli", "The CLI is built on the clients.", "^cli/", [CLIENT, ENUMS], {
			typesAnywhere: [CONTRACT],
		}),
		...onlyFrom(
			"scripts",
			"Tools use the clients, the contract and the CLI's Node modules, never the Worker's internals.",
			"^scripts/",
			[CLIENT, CONTRACT, "^cli/"],
		),
		...onlyFrom(
			"bench",
			"Benchmarks use the clients; the baseline Worker measures the body guard of the upload path itself.",
			"^bench/",
			[CLIENT, CONTRACT, "^scripts/lib/", "^src/api/http/body\\.ts$"],
		),
		...onlyFrom(
			"consumer",
			"Queue consumers validate, then act through the DO's stub and D1.",
			"^src/consumer/",
			[CONTRACT, DOMAIN, LIB, D1, NAMES, DO_CALLS, QUEUES],
			{ typesAnywhere: [LINK_DO] },
		),
		...onlyFrom(
			"reconciler",
			"The reconciler pages D1 and asks each DO.",
			"^src/reconciler/",
			[CONTRACT, DOMAIN, LIB, D1, DO_CALLS],
			{ typesAnywhere: [LINK_DO] },
		),
		...onlyFrom(
			"do",
			"The Durable Object never reaches up to the edge, the consumers, the pages or the clients.",
			"^src/do/",
			[CONTRACT, DOMAIN, LIB, D1, STORAGE, QUEUES],
		),
		...onlyFrom(
			"api",
			"The HTTP edge acts through the DO's stub, D1 and storage; it never imports the pages.",
			"^src/api/",
			[CONTRACT, DOMAIN, LIB, D1, STORAGE, DO_CALLS, CLIENT, QUEUES, APP_ENV],
			{ typesAnywhere: [LINK_DO] },
		),
		{
			name: "routes-stand-alone",
			comment:
				"A route file never imports another: what routes share is in src/api/http, middleware or uploads; app.ts joins them.",
			severity: "error",
			from: { path: "^src/api/routes/([^/]+)\\.ts$" },
			to: { path: "^src/api/routes/", pathNot: "^src/api/routes/$1\\.ts$" },
		},
		{
			name: "api-helpers-below-routes",
			comment: "HTTP helpers, middleware and the upload operations never import a route.",
			severity: "error",
			from: { path: "^src/api/(http|middleware|uploads)/" },
			to: { path: "^src/api/(routes/|app\\.ts$)" },
		},
		...onlyFrom(
			"pages",
			"Pages act through the JSON API in-process (the client), read sessions and owners in D1.",
			"^src/pages/",
			[
				CLIENT,
				CONTRACT,
				DOMAIN,
				LIB,
				"^src/d1/(sessions|owners)\\.ts$",
				// Queue names, to tell a dead letter's queue.
				QUEUES,
				APP_ENV,
				// The API in-process (app), credentials, problems, download headers, the DO meter, the request log.
				"^src/api/(app|middleware/(auth|do-calls|request-log)|http/(problem|downloads))\\.ts$",
			],
		),
	],
	options: {
		doNotFollow: { path: "node_modules" },
		// TypeScript 7.0 has no compiler API dependency-cruiser can use; swc parses the sources instead.
		parser: "swc",
		tsPreCompilationDeps: true,
		tsConfig: { fileName: "tsconfig.json" },
		exclude: { path: ["^dist/", "^node_modules/", "\\.wrangler/"] },
	},
};
