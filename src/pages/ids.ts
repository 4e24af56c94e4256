/**
 * Ids in page paths (docs/web.md#ids-in-page-paths). A page route reads its
 * id from the path, decoded, and acts through the API with it; an id that
 * is not of its kind's shape (src/lib/ids.ts) is refused with the not-found
 * page before anything is asked, so `<linkId>%2Fresume%3F` or `..%2Fwebhooks`
 * never reach the API as a path of their own. The JSON status routes check
 * with `isIdOf` and answer their own 404.
 */
import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import {
	isCommandId,
	isDeadLetterId,
	isFileId,
	isLinkId,
	isOwnerId,
	isWebhookEndpointId,
	isWebhookEventId,
} from "../lib/ids";

const SHAPES = {
	link: isLinkId,
	command: isCommandId,
	file: isFileId,
	owner: isOwnerId,
	deadLetter: isDeadLetterId,
	webhook: isWebhookEndpointId,
	event: isWebhookEventId,
} as const;

export type IdKind = keyof typeof SHAPES;

/** Thrown for a page path whose id is not an id; errors.tsx answers the not-found page. */
export class NoSuchPage extends Error {}

/** Whether `value` has the shape of an id of `kind`. */
export const isIdOf = (kind: IdKind, value: string | undefined): value is string =>
	value !== undefined && SHAPES[kind](value);

/** The path parameter `name`, an id of `kind`; anything else throws NoSuchPage. */
export function pathId(c: Context<AppEnv>, name: string, kind: IdKind): string {
	const value = c.req.param(name);
	if (!isIdOf(kind, value)) throw new NoSuchPage();
	return value;
}
