/** Who is calling: an owner (by API key) or an admin (by ADMIN_TOKEN). */
export type Caller = { kind: "owner"; ownerId: string } | { kind: "admin" };

/** An owner acts on its own links only; an admin acts on every link. */
export function mayActOn(caller: Caller, ownerId: string): boolean {
	return caller.kind === "admin" || caller.ownerId === ownerId;
}

/** The actor recorded on commands: `owner:<id>`, `admin`, `system`, or `upload:<id>`. */
export function actorOf(caller: Caller): string {
	return caller.kind === "admin" ? "admin" : `owner:${caller.ownerId}`;
}
