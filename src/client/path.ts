/**
 * An id as one segment of a request path. Ids are the caller's text (a page's
 * path, a CLI argument, a saved resume state): pasted as they are, a `/`, `?`,
 * `#` or `%` in one would name another resource (`<linkId>/resume?` turned a
 * pause into a resume, docs/web.md#ids-in-page-paths). Encoded whole, they stay
 * one segment; an empty id or a dot segment (`.`, `..`, which URLs resolve
 * away even encoded) cannot be one, so it is refused before any request.
 */
export function segment(id: string): string {
	if (id === "" || id === "." || id === "..")
		throw new TypeError(`${JSON.stringify(id)} is not an id: it cannot be one path segment`);
	return encodeURIComponent(id);
}
