/** @jsxImportSource hono/jsx */
/**
 * What every console page shares: the page frame with the console's
 * navigation (the current section marked), the pager of a paginated list
 * (filters kept in its links), and reading list filters from a query string.
 */
import type { Child } from "hono/jsx";
import { Page } from "../layout";
import { SignOut } from "../sign-in";

export type Section = "home" | "owners" | "links" | "dead-letters";

const SECTIONS: { id: Exclude<Section, "home">; href: string; text: string }[] = [
	{ id: "owners", href: "/admin/owners", text: "Owners" },
	{ id: "links", href: "/admin/links", text: "Links" },
	{ id: "dead-letters", href: "/admin/dead-letters", text: "Dead letters" },
];

function Nav(props: { current: Section }) {
	return (
		<>
			{SECTIONS.map((s) => (
				<a href={s.href} aria-current={s.id === props.current ? "page" : undefined}>
					{s.text}
				</a>
			))}
			<SignOut home="/admin" />
		</>
	);
}

/** A console page: the frame, the navigation and the one script (live status, copy buttons). */
export function AdminPage(props: { title: string; section: Section; children?: Child }) {
	return (
		<Page
			title={`${props.title} · Admin`}
			surface="admin"
			nav={<Nav current={props.section} />}
			script="pages"
		>
			{props.children}
		</Page>
	);
}

/** `path?query` with the empty values left out (so filters stay readable in the address). */
export function href(path: string, params: Record<string, string | undefined | null>): string {
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
	const s = q.toString();
	return s ? `${path}?${s}` : path;
}

/**
 * "First page" and "Next page" of a keyset-paginated list: the cursor is
 * opaque and only goes forward, so there is no "previous" (the browser's
 * Back button is that).
 */
export function Pager(props: {
	path: string;
	filters: Record<string, string | undefined>;
	cursor: string | undefined;
	nextCursor: string | null;
}) {
	if (!props.cursor && !props.nextCursor) return null;
	return (
		<nav class="pager" aria-label="Pages">
			{props.cursor ? <a href={href(props.path, props.filters)}>First page</a> : null}
			{props.nextCursor ? (
				<a href={href(props.path, { ...props.filters, cursor: props.nextCursor })} rel="next">
					Next page
				</a>
			) : null}
		</nav>
	);
}

/** A query value when it is one of `allowed`, else undefined (a hand-edited address shows everything). */
export function oneOf<T extends string>(
	value: string | undefined,
	allowed: readonly T[],
): T | undefined {
	return allowed.find((a) => a === value);
}

/** A trimmed free-text query value (an id typed into a filter), or undefined when blank. */
export function idFilter(value: string | undefined): string | undefined {
	return value?.trim() || undefined;
}
