/**
 * The D1 `rate_limits` table: fixed-window counters, one row per key (what
 * is counted and whose, such as `webhook-sends:<ownerId>`); the decision is
 * src/domain/rate-limit.ts. Written and read by the limited routes
 * (src/api/http/webhook-sends.ts).
 */
import { D1 } from "../storage/names";

const T = D1.rateLimits;

/**
 * Counts one request under `key` in the window that started at
 * `windowStart` and answers the count with the window it belongs to. One
 * statement, so concurrent requests each get their own count; the first
 * request of a later window starts the row again at 1 (a request late from an
 * earlier window counts in the row's later one).
 */
export async function count(
	db: D1Database,
	key: string,
	windowStart: number,
): Promise<{ count: number; windowStart: number }> {
	const row = await db
		.prepare(
			`INSERT INTO ${T} (key, window_start, count) VALUES (?, ?, 1)
			 ON CONFLICT (key) DO UPDATE SET
				count = CASE WHEN excluded.window_start > window_start THEN 1 ELSE count + 1 END,
				window_start = MAX(window_start, excluded.window_start)
			 RETURNING count, window_start`,
		)
		.bind(key, windowStart)
		.first<{ count: number; window_start: number }>();
	if (!row) throw new Error(`rate limit ${key}: the count returned no row`);
	return { count: row.count, windowStart: row.window_start };
}
