import type { Caller } from "../domain/actor";

/** The Hono environment of every sub-app. */
export interface AppEnv {
	Bindings: Env;
	Variables: { caller: Caller; doMeter?: { calls: number; ms: number } };
}
