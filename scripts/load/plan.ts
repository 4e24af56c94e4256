// The load test's plan: which uploader sends which files to which link, and
// which links get a terminal command mid-run. Pure: the same seed, the same plan.
import type { LoadOptions } from "./options.ts";
import { int, rngOf } from "./random.ts";

const MiB = 1024 * 1024;

export type FileAction = "finalize" | "abort" | "complete";
export type Protocol = "native" | "tus";

/** tus-js-client's chunkSize per file: unset (one streamed PATCH), 1, 3 or 7 MiB. */
export const TUS_CHUNKS = [null, 1 * MiB, 3 * MiB, 7 * MiB] as const;
export type LinkAction = "none" | "revoke" | "delete" | "revoke+delete";

export interface FileSpec {
	f: number;
	size: number;
	action: FileAction;
	declareSha: boolean;
	/** Multipart only: part 1 sent by hand, the rest by `resume()`. */
	interrupt: boolean;
	abortAfterWrite: boolean;
	name: string;
	type: string;
	uploaderName: string | undefined;
	/** tus only: chunkSize (null: unset, the whole file in one PATCH). */
	tusChunk: number | null;
	/** tus only: the creation POST carries the first chunk (creation-with-upload). */
	tusWithCreation: boolean;
}

export interface UploaderPlan {
	u: number;
	protocol: Protocol;
	link: number;
	files: FileSpec[];
}

export interface LinkPlan {
	index: number;
	action: LinkAction;
	lateFinalize: "recover" | "reject";
	maxFiles: number | null;
	planned: number;
	/** Fired once this many of the link's files are done, so others are in flight. */
	threshold: number;
	delayMs: number;
}

export interface Plan {
	links: LinkPlan[];
	uploaders: UploaderPlan[];
}

export function makePlan(o: LoadOptions): Plan {
	const r = rngOf(o.seed, "plan");
	const nRevoke = Math.min(Math.floor(o.revoke), o.links);
	const nDelete = Math.min(Math.floor(o.delete), o.links - nRevoke);
	const tus = tusUploaders(o);
	const uploaders: UploaderPlan[] = [];
	for (let u = 0; u < o.uploaders; u++) {
		const ru = rngOf(o.seed, "uploader", u);
		// A separate stream: the native uploaders' plans do not change with the tus share.
		const rt = rngOf(o.seed, "tus", u);
		const protocol: Protocol = tus.has(u) ? "tus" : "native";
		const largeFraction =
			protocol === "tus" ? o["tus-multipart-fraction"] : o["multipart-fraction"];
		const files: FileSpec[] = [];
		for (let f = 0; f < o.files; f++) {
			const large = ru() < largeFraction;
			const size = large
				? int(ru, Math.round(o["large-min-mib"] * MiB), Math.round(o["large-max-mib"] * MiB))
				: Math.max(
						1,
						Math.min(o["small-max"], Math.round(Math.exp(ru() * Math.log(o["small-max"])))),
					);
			const x = ru();
			const action: FileAction = x < 0.7 ? "finalize" : x < 0.85 ? "abort" : "complete";
			const text = ru() < 0.3;
			files.push({
				f,
				size,
				action,
				declareSha: ru() < 0.5,
				interrupt: ru() < 0.4,
				abortAfterWrite: ru() < 0.5,
				name: `u${u}-f${f}.${text ? "txt" : "bin"}`,
				type: text ? "text/plain" : "application/octet-stream",
				uploaderName: ru() < 0.3 ? `Uploader ${u}` : undefined,
				tusChunk: TUS_CHUNKS[Math.floor(rt() * TUS_CHUNKS.length)] ?? null,
				tusWithCreation: rt() < 0.25,
			});
		}
		uploaders.push({ u, protocol, link: u % o.links, files });
	}
	const links: LinkPlan[] = [];
	for (let i = 0; i < o.links; i++) {
		const planned = uploaders.filter((x) => x.link === i).reduce((n, x) => n + x.files.length, 0);
		const action: LinkAction =
			i < nRevoke
				? "revoke"
				: i < nRevoke + nDelete
					? (i - nRevoke) % 2 === 0
						? "delete"
						: "revoke+delete"
					: "none";
		links.push({
			index: i,
			action,
			lateFinalize: i % 3 === 1 ? "reject" : "recover",
			maxFiles: i % 4 === 2 ? Math.max(1, Math.floor(planned / 2)) : null,
			planned,
			threshold: Math.max(1, Math.round(planned * (0.15 + 0.35 * r()))),
			delayMs: int(r, 0, 300),
		});
	}
	return { links, uploaders };
}

/** Which uploaders speak tus: round(share x uploaders) of them, picked by the seed (spread over the links). */
function tusUploaders(o: LoadOptions): Set<number> {
	const n = Math.min(o.uploaders, Math.round(Math.min(1, o["tus-share"]) * o.uploaders));
	const r = rngOf(o.seed, "tus-uploaders");
	const order = Array.from({ length: o.uploaders }, (_, u) => u);
	for (let i = order.length - 1; i > 0; i--) {
		const j = Math.floor(r() * (i + 1));
		[order[i], order[j]] = [order[j] as number, order[i] as number];
	}
	return new Set(order.slice(0, n));
}
