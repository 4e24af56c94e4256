/**
 * What a secret looks like in a log line, for the log-secrecy checks: the
 * Workers-runtime suite's captured console (test/log-secrets.ts) and the
 * wrangler logs of the e2e and browser runs (their global setups). Pure: no
 * runtime imports, so both Node and workerd load it.
 */

/** Passwords the tests use (a log line must never carry one). */
export const TEST_PASSWORDS = [
	"s3cret-Passphrase!",
	"correct horse battery",
	"wrong-password",
] as const;

export const SECRET_PATTERNS: readonly [string, RegExp][] = [
	// Link secrets and upload tokens (and session cookie values, the same form):
	// 32 random bytes, 43 base64url characters.
	["a link secret or upload token", /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/],
	["an owner API key", /rlk_[A-Za-z0-9_-]{16,}/],
	["a Retry-Token", /rt1\.cmd_[0-9a-z]+\.[0-9]+\./],
	["a stored password hash", /pbkdf2-sha256\$/],
	["a webhook signing secret", /whsec_[A-Za-z0-9+/=]{16,}/],
];

/** `[kind, line]` for every line of `lines` that carries a secret pattern or one of `literals`. */
export function secretsIn(
	lines: readonly string[],
	literals: readonly [kind: string, value: string | undefined][],
): [string, string][] {
	const all = [...literals, ...TEST_PASSWORDS.map((p): [string, string] => ["a password", p])];
	const found: [string, string][] = [];
	for (const line of lines) {
		for (const [kind, pattern] of SECRET_PATTERNS) if (pattern.test(line)) found.push([kind, line]);
		for (const [kind, value] of all) if (value && line.includes(value)) found.push([kind, line]);
	}
	return found;
}
