// A tiny element builder: text always goes in as text (never HTML), and no
// inline style is ever set (the page runs under a CSP without 'unsafe-inline').

type Attrs = Record<string, string | number | boolean | null | undefined>;
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
	tag: K,
	attrs: Attrs = {},
	...children: Child[]
): HTMLElementTagNameMap[K] {
	const el = document.createElement(tag);
	for (const [name, value] of Object.entries(attrs)) {
		if (value === null || value === undefined || value === false) continue;
		el.setAttribute(name, value === true ? "" : String(value));
	}
	for (const child of children) if (child) el.append(child);
	return el;
}

/** Replaces an element's children. */
export function fill(el: Element, ...children: Child[]): void {
	el.replaceChildren(...children.filter((c): c is Node | string => Boolean(c)));
}

let ids = 0;
/** A page-unique id for label / aria-describedby pairs. */
export const uid = (prefix: string) => `${prefix}-${++ids}`;
