/** @jsxImportSource hono/jsx */
/**
 * What every dashboard page shares: the frame with the dashboard's navigation,
 * the one-line notices a redirect carries (`?done=` after a change, `?problem=`
 * after a refusal), counts and command kinds. Sizes, statuses and states are
 * in the shared vocabulary (src/client/vocabulary.ts).
 */
import type { Child } from "hono/jsx";
import type { LinkState } from "../../contract";
import { Notice, Page } from "../layout";
import { SignOut } from "../sign-in";
import { PROBLEM_WORDS } from "../words";

export function AppPage(props: { title: string; children?: Child }) {
	return (
		<Page
			title={props.title}
			surface="app"
			script="pages"
			nav={
				<>
					<a href="/app">Your links</a>
					<a href="/app/new">New link</a>
					<a href="/app/webhooks">Webhooks</a>
					<SignOut home="/app" />
				</>
			}
		>
			{props.children}
		</Page>
	);
}

/** Success notices after a post/redirect/get, by the `done` code of the redirect. */
const DONE: Record<string, string> = {
	created: "The link is created. Send its upload link to the people who should send you files.",
	paused: "The link is paused. Uploads wait until you resume it.",
	resumed: "The link is active again. Uploads continue.",
	saved: "The settings are saved.",
	unchanged: "Nothing changed: the settings were already these.",
};

/** Notices carried by a redirect: `?done=<code>` (ok) or `?problem=<problem code>` (bad). */
export function RedirectNotice(props: { done?: string | undefined; problem?: string | undefined }) {
	const done = props.done && DONE[props.done];
	const problem = props.problem && PROBLEM_WORDS[props.problem];
	return (
		<>
			{done ? <Notice kind="ok">{done}</Notice> : null}
			{problem ? (
				<Notice kind="bad">
					<p>{problem}</p>
					<p class="muted small">Code: {props.problem}</p>
				</Notice>
			) : null}
		</>
	);
}

/** A count with thousands separators. */
export const count = (n: number): string => n.toLocaleString("en-US");

/** What a command kind does, for headings and tables. */
export const KIND_WORDS: Record<string, string> = {
	revoke: "Revoke",
	delete: "Delete",
	expire: "Expire",
	finalize: "Receive a file",
};

export function isTerminal(state: LinkState): boolean {
	return state === "revoked" || state === "expired" || state === "deleted";
}

/** `?<name>=<cursor>` pagination link, or nothing on the last page. */
export function NextPage(props: { href: string | null; label?: string }) {
	if (!props.href) return null;
	return (
		<nav class="pager" aria-label={props.label ?? "Pages"}>
			<a href={props.href}>Next page</a>
		</nav>
	);
}

/**
 * A table's scroll box: a named, focusable region, so a keyboard can scroll a
 * table wider than a phone's screen (axe: scrollable-region-focusable).
 */
export function TableWrap(props: { label: string; children?: Child }) {
	return (
		<section class="table-wrap" aria-label={props.label} tabindex={0}>
			{props.children}
		</section>
	);
}
