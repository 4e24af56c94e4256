// The bare R2 Worker (bench/baseline) as the bench drives it; `prefix` selects
// an attribution variant ("", "/guard", "/guard/rpc").
import { call, type JsonResponse } from "./http.ts";

export class Baseline {
	readonly baseUrl: string;

	constructor(baseUrl: string) {
		this.baseUrl = baseUrl;
	}

	putSingle(prefix: string, key: string, body: Uint8Array): Promise<JsonResponse> {
		return call("PUT", `${this.baseUrl}${prefix}/single/${key}`, { body });
	}

	async createMpu(key: string): Promise<string> {
		const res = await call<{ uploadId: string }>("POST", `${this.baseUrl}/mpu/${key}`);
		return res.json.uploadId;
	}

	putPart(
		prefix: string,
		key: string,
		uploadId: string,
		n: number,
		body: Uint8Array,
	): Promise<JsonResponse> {
		return call("PUT", `${this.baseUrl}${prefix}/mpu/${key}/${uploadId}/${n}`, { body });
	}

	abortMpu(key: string, uploadId: string): Promise<JsonResponse> {
		return call("DELETE", `${this.baseUrl}/mpu/${key}/${uploadId}`, { expect: [204] });
	}

	calibrateSql(n: number, write: boolean): Promise<JsonResponse> {
		return call("GET", `${this.baseUrl}/calibrate/sql?n=${n}&write=${write ? 1 : 0}`);
	}
}
