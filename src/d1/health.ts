/**
 * The D1 readiness probe (GET /readyz): one trivial query that also tells
 * whether the migrations were applied (every table of src/storage/names.ts
 * exists).
 */
import { D1 } from "../storage/names";

/** The service's D1 tables that do not exist (empty when the schema is in place). */
export async function missingTables(db: D1Database): Promise<string[]> {
	const expected: string[] = Object.values(D1);
	const rows = await db
		.prepare(
			`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (${expected.map(() => "?").join(", ")})`,
		)
		.bind(...expected)
		.all<{ name: string }>();
	const present = new Set(rows.results.map((r) => r.name));
	return expected.filter((name) => !present.has(name));
}
