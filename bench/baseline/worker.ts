/**
 * The bare R2 Worker that `npm run bench` compares the service with.
 *
 *   PUT    /single/:key                    env.BUCKET.put(key, request.body)
 *   POST   /mpu/:key                       createMultipartUpload -> { uploadId }
 *   PUT    /mpu/:key/:uploadId/:n          uploadPart(n, request.body)
 *   DELETE /mpu/:key/:uploadId             abort
 *
 * The request body goes to R2 as it is: workerd knows its length from
 * Content-Length, so no FixedLengthStream is needed.
 *
 * Attribution variants (not the baseline; they add one piece of the service's
 * upload path at a time): a `/guard` prefix streams the body through the
 * service's own length guard (`guardLength` from src/api/http/body.ts); an `/rpc`
 * prefix makes two empty Durable Object RPCs around the write, the floor of
 * the service's admit and record calls. `/calibrate/sql?n=&write=` runs n
 * SQLite statements in a Durable Object (time it against n=0).
 */
import { DurableObject } from "cloudflare:workers";
import { guardLength } from "../../src/api/http/body.ts";

/** The baseline's bindings (bench/baseline/wrangler.toml). */
interface BaselineEnv {
	BUCKET: R2Bucket;
	CALIBRATE: DurableObjectNamespace<Calibrate>;
}

const json = (value: unknown, status = 200) =>
	new Response(JSON.stringify(value), {
		status,
		headers: { "content-type": "application/json" },
	});

export class Calibrate extends DurableObject<BaselineEnv> {
	constructor(ctx: DurableObjectState, env: BaselineEnv) {
		super(ctx, env);
		ctx.storage.sql.exec(
			"CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, state TEXT NOT NULL, n INTEGER NOT NULL)",
		);
		ctx.storage.sql.exec("INSERT OR IGNORE INTO t (id, state, n) VALUES (1, 'open', 0)");
	}

	/** An empty round trip. */
	noop() {
		return { ok: true };
	}

	/** n statements: point reads, or point updates when `write`. */
	sql(n: number, write: boolean) {
		const sql = this.ctx.storage.sql;
		for (let i = 0; i < n; i++) {
			if (write) sql.exec("UPDATE t SET n = ? WHERE id = 1", i);
			else sql.exec("SELECT * FROM t WHERE id = ?", 1).toArray();
		}
		return { n };
	}
}

export default {
	async fetch(request, env) {
		const url = new URL(request.url);
		const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
		const guard = parts[0] === "guard";
		if (guard) parts.shift();
		const rpc = parts[0] === "rpc";
		if (rpc) parts.shift();
		const [kind, key, uploadId, n] = parts;
		const stub = env.CALIBRATE.get(env.CALIBRATE.idFromName("bench"));
		const length = Number(request.headers.get("content-length"));
		const body = () => {
			const b = guard ? guardLength(request.body, length).stream : request.body;
			if (b === null) throw new Error("no request body");
			return b;
		};
		try {
			if (kind === "calibrate" && key === "sql") {
				const count = Number(url.searchParams.get("n") ?? 0);
				return json(await stub.sql(count, url.searchParams.get("write") === "1"));
			}
			if (kind === "single" && key && request.method === "PUT") {
				if (rpc) await stub.noop();
				const object = await env.BUCKET.put(key, body());
				if (!object) throw new Error("R2 put stored nothing");
				if (rpc) await stub.noop();
				return json({ key, etag: object.etag, size: object.size });
			}
			if (kind === "mpu" && key && !uploadId && request.method === "POST") {
				const mpu = await env.BUCKET.createMultipartUpload(key);
				return json({ key, uploadId: mpu.uploadId });
			}
			if (kind === "mpu" && key && uploadId && n && request.method === "PUT") {
				const mpu = env.BUCKET.resumeMultipartUpload(key, uploadId);
				if (rpc) await stub.noop();
				const part = await mpu.uploadPart(Number(n), body());
				if (rpc) await stub.noop();
				return json({ partNumber: part.partNumber, etag: part.etag, size: length });
			}
			if (kind === "mpu" && key && uploadId && !n && request.method === "DELETE") {
				await env.BUCKET.resumeMultipartUpload(key, uploadId).abort();
				return new Response(null, { status: 204 });
			}
			return json({ error: "not found" }, 404);
		} catch (error) {
			return json({ error: String(error) }, 500);
		}
	},
} satisfies ExportedHandler<BaselineEnv>;
