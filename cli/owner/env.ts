/** The owner commands' service and credentials, from the environment. */
import { OwnerClient } from "../../src/client/index.ts";
import { CliError, EXIT } from "../exit.ts";

export const DEFAULT_URL = "http://localhost:8787";

/**
 * `RECEIVE_LINKS_URL` (default http://localhost:8787) and
 * `RECEIVE_LINKS_API_KEY` (an owner's key) or `RECEIVE_LINKS_ADMIN_TOKEN`
 * (the admin token, which may act on every link).
 */
export function ownerClient(env: NodeJS.ProcessEnv = process.env): OwnerClient {
	const base = env.RECEIVE_LINKS_URL || DEFAULT_URL;
	const apiKey = env.RECEIVE_LINKS_API_KEY;
	const adminToken = env.RECEIVE_LINKS_ADMIN_TOKEN;
	if (!apiKey && !adminToken)
		throw new CliError(
			"set RECEIVE_LINKS_API_KEY (an owner's API key) or RECEIVE_LINKS_ADMIN_TOKEN",
			EXIT.usage,
		);
	try {
		new URL(base);
	} catch {
		throw new CliError(`RECEIVE_LINKS_URL is not a URL: ${base}`, EXIT.usage);
	}
	return new OwnerClient(base, apiKey ? { apiKey } : { adminToken: adminToken as string });
}

/** Writes `value` as JSON (one document) or the human text. */
export function print(json: boolean | undefined, value: unknown, text: () => string): void {
	process.stdout.write(`${json ? JSON.stringify(value, null, 2) : text()}\n`);
}
