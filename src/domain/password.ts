/**
 * Limits on link password guesses, per link. The first few failures are free
 * (people mistype); after that every further attempt waits twice as long as
 * the one before, up to a cap. While a link waits, every attempt is refused
 * unchecked (`429 too-many-attempts`), the right password included: checking
 * it would tell a guesser when to stop. A success clears the count.
 */

/** Failures allowed before attempts must wait. */
export const FREE_PASSWORD_FAILURES = 5;
/** The longest wait between attempts, however many failures. */
export const MAX_PASSWORD_WAIT_MS = 5 * 60_000;

/** Consecutive failed password attempts on a link, and until when attempts wait. */
export interface PasswordAttempts {
	failures: number;
	/** Epoch ms before which attempts are refused unchecked; null when free. */
	waitUntil: number | null;
}

export const NO_ATTEMPTS: PasswordAttempts = { failures: 0, waitUntil: null };

/** Whole seconds an attempt made at `now` must still wait; 0 when it may be checked. */
export function passwordWaitSeconds(attempts: PasswordAttempts, now: number): number {
	if (attempts.waitUntil === null || attempts.waitUntil <= now) return 0;
	return Math.ceil((attempts.waitUntil - now) / 1000);
}

/** The attempts after one more failure at `now`: 1 s, 2 s, 4 s … after the free ones, capped. */
export function afterFailure(attempts: PasswordAttempts, now: number): PasswordAttempts {
	const failures = attempts.failures + 1;
	const over = failures - FREE_PASSWORD_FAILURES;
	if (over <= 0) return { failures, waitUntil: null };
	const wait = Math.min(MAX_PASSWORD_WAIT_MS, 1000 * 2 ** Math.min(over - 1, 20));
	return { failures, waitUntil: now + wait };
}
