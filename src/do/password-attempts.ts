/**
 * The `password_attempts` row of one link: consecutive failed password
 * attempts and until when attempts wait (see src/domain/password.ts).
 */
import { NO_ATTEMPTS, type PasswordAttempts } from "../domain/password";
import type { Sql } from "./sql";

export function loadAttempts(sql: Sql): PasswordAttempts {
	const row = sql.one<{ failures: number; wait_until: number | null }>(
		"SELECT failures, wait_until FROM password_attempts WHERE id = 1",
	);
	return row ? { failures: row.failures, waitUntil: row.wait_until } : NO_ATTEMPTS;
}

export function saveAttempts(sql: Sql, attempts: PasswordAttempts): void {
	sql.run(
		`INSERT INTO password_attempts (id, failures, wait_until) VALUES (1, ?, ?)
		 ON CONFLICT (id) DO UPDATE SET failures = excluded.failures, wait_until = excluded.wait_until`,
		attempts.failures,
		attempts.waitUntil,
	);
}
