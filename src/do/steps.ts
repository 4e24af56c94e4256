/**
 * Side-effect steps of terminal commands, as a map from step name to
 * handler. Each is idempotent and resumable: it may run again after a crash,
 * a retry or an eviction, and only ever moves storage towards the link's
 * terminal state. The steps of each command kind, in order, are `STEPS` in
 * src/domain/commands.ts.
 */
import * as LinksTable from "../d1/links";
import {
	type CommandKind,
	isTerminalKind,
	STEP_NAMES,
	type StepName,
	type TerminalKind,
} from "../domain/commands";
import { R2Keys } from "../storage/names";
import * as r2 from "../storage/r2";
import type { LinkRecord } from "./link-store";
import type { LinkView } from "./views";

/** What a step may use: the link, its bindings, and the DO operations steps build on. */
export interface StepContext {
	/** The link as the command found it. */
	link: LinkRecord;
	kind: CommandKind;
	env: Pick<Env, "FILES" | "DB">;
	/** The link row now (an earlier step or a concurrent call may have changed it). */
	current(): LinkRecord;
	view(link: LinkRecord): LinkView;
	/** Records that the D1 projection is up to date with `version`. */
	markProjected(version: number): void;
	/** Aborts open uploads and settles completed ones (the upload ledger's part). */
	settleUploads(link: LinkRecord, kind: TerminalKind): Promise<void>;
	/** Removes the link's files from the D1 index. */
	purgeIndex(link: LinkRecord): Promise<void>;
}

export type StepHandler = (ctx: StepContext) => Promise<void>;

export const CLEANUP_STEPS: Record<StepName, StepHandler> = {
	"cleanup-uploads": async (ctx) => {
		if (isTerminalKind(ctx.kind)) await ctx.settleUploads(ctx.current(), ctx.kind);
	},
	"purge-objects": async (ctx) => {
		await r2.purgePrefix(ctx.env.FILES, R2Keys.linkPrefix(ctx.link.id));
	},
	"purge-index": (ctx) => ctx.purgeIndex(ctx.link),
	project: async (ctx) => {
		const current = ctx.current();
		await LinksTable.upsert(ctx.env.DB, ctx.view(current), current.version);
		ctx.markProjected(current.version);
	},
};

/** The handler of a step recorded by name (step names are stored as text); undefined if unknown. */
export function stepHandler(name: string): StepHandler | undefined {
	return (STEP_NAMES as readonly string[]).includes(name)
		? CLEANUP_STEPS[name as StepName]
		: undefined;
}
