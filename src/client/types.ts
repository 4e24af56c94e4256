/**
 * The wire shapes the clients speak: the contract's types (src/contract),
 * re-exported for `src/client`. Type-only, so nothing of the Worker is
 * bundled with the client.
 */
import type { LinkSettingsView, ProblemBody } from "../contract/index.ts";

export type * from "../contract/index.ts";
export type LinkSettings = LinkSettingsView;
export type WireProblem = ProblemBody;
