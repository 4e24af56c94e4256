import type { Caller } from "./domain/actor";

/** The Hono environment of every sub-app. */
export interface AppEnv {
	Bindings: Env;
	Variables: {
		caller: Caller;
		doMeter?: { calls: number; ms: number };
		/** Set by `requestLog` (src/api/middleware/request-log.ts); answered as X-Request-Id. */
		requestId?: string;
		/** The command a request accepted, for its log line. */
		commandId?: string;
	};
}
