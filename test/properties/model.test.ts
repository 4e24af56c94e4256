/**
 * Model-based property test: generated interleavings of owner operations and
 * three concurrent uploaders against the real Worker, DO, queue consumer and
 * R2, compared answer by answer with a reference model, then audited.
 *
 * Runs MODEL_RUNS cases (200 in `npm test`, 5,000 in `npm run test:soak`).
 * A failure prints the seed, the path and the shrunk counterexample; replay
 * it with: MODEL_SEED=<seed> MODEL_PATH=<path> npx vitest run test/properties
 */
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, it } from "vitest";
import { createOwner } from "../helpers";
import { caseArb, coverage, runCase } from "./runner";

const runs = Number(env.MODEL_RUNS ?? "200");
const seed = env.MODEL_SEED ? Number(env.MODEL_SEED) : undefined;
const path = env.MODEL_PATH || undefined;

describe("model-based interleavings", () => {
	let apiKey = "";
	beforeAll(async () => {
		apiKey = (await createOwner("model")).apiKey;
	});

	it(`matches the model and keeps every invariant over ${runs} generated cases`, {
		timeout: 6 * 60 * 60 * 1000,
	}, async () => {
		await fc.assert(
			fc.asyncProperty(caseArb, (c) => runCase(apiKey, c)),
			{
				numRuns: runs,
				...(seed !== undefined ? { seed } : {}),
				...(path ? { path } : {}),
				verbose: 1,
			},
		);
		const seen = [...coverage].sort(([a], [b]) => a.localeCompare(b));
		console.log(`answers exercised:\n${seen.map(([k, n]) => `  ${k}: ${n}`).join("\n")}`);
	});
});
