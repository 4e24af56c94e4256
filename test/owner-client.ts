/** The shared owner/admin API client (`src/client/owner.ts`), talking to the Worker in this runtime. */
import { exports } from "cloudflare:workers";
import { OwnerClient } from "../src/client";

const ORIGIN = "https://receive.test";
const ADMIN_TOKEN = "test-admin-token";

const inWorker = (input: string, init?: RequestInit) => exports.default.fetch(input, init);

/** As the admin (`Bearer test-admin-token`, the token of the test configuration). */
export function adminClient(): OwnerClient {
	return new OwnerClient(ORIGIN, { adminToken: ADMIN_TOKEN, fetch: inWorker });
}

/** As the owner of `apiKey`. */
export function ownerClient(apiKey: string): OwnerClient {
	return new OwnerClient(ORIGIN, { apiKey, fetch: inWorker });
}
