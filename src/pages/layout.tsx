/** @jsxImportSource hono/jsx */
/**
 * The frame of every page: one stylesheet, at most one script (from this
 * origin, as a module: no inline script anywhere, see security.ts), a skip
 * link, a header with the surface's navigation, and a main landmark.
 */
import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { ASSETS_PATH } from "./security";

export type Surface = "home" | "uploader" | "app" | "admin";

export interface PageProps {
	title: string;
	surface: Surface;
	/** Links (and the sign-out form) of the header; none on sign-in and uploader pages. */
	nav?: Child;
	/** `pages` (dashboard and console enhancements) or `uploader` (Uppy). */
	script?: "pages" | "uploader";
	narrow?: boolean;
	children?: Child;
}

const BRAND: Record<Surface, { text: string; href: string }> = {
	home: { text: "Receive links", href: "/" },
	uploader: { text: "Receive links", href: "#main" },
	app: { text: "Receive links · Dashboard", href: "/app" },
	admin: { text: "Receive links · Admin", href: "/admin" },
};

export function Page(props: PageProps) {
	const brand = BRAND[props.surface];
	return (
		<>
			{raw("<!DOCTYPE html>")}
			<html lang="en">
				<head>
					<meta charset="utf-8" />
					<meta name="viewport" content="width=device-width, initial-scale=1" />
					<meta name="referrer" content="no-referrer" />
					<title>{props.title} · Receive links</title>
					<link rel="stylesheet" href={`${ASSETS_PATH}site.css`} />
					{props.script === "uploader" ? (
						<link rel="stylesheet" href={`${ASSETS_PATH}uploader.css`} />
					) : null}
					{props.script ? <script type="module" src={`${ASSETS_PATH}${props.script}.js`} /> : null}
				</head>
				<body data-surface={props.surface}>
					<a class="skip" href="#main">
						Skip to content
					</a>
					<header class="top">
						<div class="bar">
							<a class="brand" href={brand.href}>
								{brand.text}
							</a>
							{props.nav ? <nav aria-label="Main">{props.nav}</nav> : null}
						</div>
					</header>
					<main id="main" class={props.narrow ? "narrow" : undefined} tabindex={-1}>
						{props.children}
					</main>
				</body>
			</html>
		</>
	);
}

/** A notice box: `ok`, `warn`, `bad` or plain information; announced politely. */
export function Notice(props: { kind?: "ok" | "warn" | "bad"; children?: Child; id?: string }) {
	return (
		<div
			class={props.kind ? `notice ${props.kind}` : "notice"}
			role={props.kind === "bad" ? "alert" : "status"}
			id={props.id}
		>
			{props.children}
		</div>
	);
}

/** A refused field's error, next to the field (its id for `aria-describedby`); nothing when there is none. */
export function ErrorText(props: { id: string | undefined; error: string | undefined }) {
	return props.error ? (
		<span class="error-text" id={props.id}>
			{props.error}
		</span>
	) : null;
}

/** A table's header row: a column header each, those named in `numeric` aligned as numbers. */
export function ColumnHeads(props: { columns: readonly string[]; numeric?: readonly string[] }) {
	return (
		<thead>
			<tr>
				{props.columns.map((name) => (
					<th scope="col" class={props.numeric?.includes(name) ? "num" : undefined}>
						{name}
					</th>
				))}
			</tr>
		</thead>
	);
}

/** The buttons of a confirmation page: the (dangerous) action, posted to `action`, or Cancel back to `cancel`. */
export function ConfirmOrCancel(props: { action: string; cancel: string; children: Child }) {
	return (
		<div class="actions">
			<form method="post" action={props.action}>
				<button type="submit" class="danger">
					{props.children}
				</button>
			</form>
			<a class="button secondary" href={props.cancel}>
				Cancel
			</a>
		</div>
	);
}

/** A state or status as a badge whose text carries the meaning. */
export function Badge(props: { value: string; label?: string }) {
	return (
		<span class={`badge ${props.value}`}>{props.label ?? props.value.replace(/_/g, " ")}</span>
	);
}

/** A timestamp as `2026-12-03 08:11 UTC` (unambiguous, sortable). */
export function when(iso: string | null | undefined): string {
	if (!iso) return "never";
	const d = new Date(iso);
	if (Number.isNaN(d.getTime())) return iso;
	return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
