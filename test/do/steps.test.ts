/** The cleanup steps are a typed map: every step a command kind lists has a handler. */
import { describe, expect, it } from "vitest";
import { CLEANUP_STEPS, stepHandler } from "../../src/do/steps";
import { STEP_NAMES, STEPS } from "../../src/domain/commands";

describe("cleanup steps", () => {
	it("every step of every terminal kind has a handler", () => {
		for (const names of Object.values(STEPS))
			for (const name of names) expect(stepHandler(name)).toBe(CLEANUP_STEPS[name]);
		expect(Object.keys(CLEANUP_STEPS).sort()).toEqual([...STEP_NAMES].sort());
	});

	it("a step name nothing handles (stored text) has no handler", () => {
		for (const name of ["", "purge", "toString", "constructor", "__proto__"])
			expect(stepHandler(name)).toBeUndefined();
	});
});
