/**
 * The one helper every Durable Object query goes through: parameters are
 * always bound, and a failure is rethrown with the query that caused it.
 */
export type Row = Record<string, SqlStorageValue>;

export class Sql {
	constructor(private readonly storage: SqlStorage) {}

	/** Runs a statement; returns every row. */
	all<T extends Row = Row>(query: string, ...params: SqlStorageValue[]): T[] {
		try {
			return this.storage.exec<T>(query, ...params).toArray();
		} catch (error) {
			throw new Error(`SQL failed: ${query.trim().split("\n")[0]}: ${String(error)}`, {
				cause: error,
			});
		}
	}

	/** Runs a statement; returns the first row or null. */
	one<T extends Row = Row>(query: string, ...params: SqlStorageValue[]): T | null {
		return this.all<T>(query, ...params)[0] ?? null;
	}

	run(query: string, ...params: SqlStorageValue[]): void {
		this.all(query, ...params);
	}
}
