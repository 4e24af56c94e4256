/**
 * The per-owner limit on what makes the service send on request
 * (docs/webhooks.md "Redelivery and test events"): redeliveries and test
 * events together, `WEBHOOK_SENDS_PER_MINUTE` a minute per owner (the
 * endpoint's owner, whoever asks), counted in D1 in fixed one-minute windows.
 */
import * as RateLimits from "../../d1/rate-limits";
import { ProblemError, problem } from "../../domain/problems";
import { rateLimitWaitSeconds, windowStartOf } from "../../domain/rate-limit";
import { WEBHOOK_SEND_WINDOW_MS, webhookSendsPerMinute } from "../../domain/webhooks";

/** Counts one send for `ownerId`, or throws 429 `too-many-webhook-sends` with the seconds to wait. */
export async function admitWebhookSend(
	env: Pick<Env, "DB" | "WEBHOOK_SENDS_PER_MINUTE">,
	ownerId: string,
): Promise<void> {
	const limit = webhookSendsPerMinute(env.WEBHOOK_SENDS_PER_MINUTE);
	const now = Date.now();
	const counted = await RateLimits.count(
		env.DB,
		`webhook-sends:${ownerId}`,
		windowStartOf(now, WEBHOOK_SEND_WINDOW_MS),
	);
	const wait = rateLimitWaitSeconds(counted, limit, WEBHOOK_SEND_WINDOW_MS, now);
	if (wait === 0) return;
	throw new ProblemError(
		problem(
			"too-many-webhook-sends",
			`An owner may ask for at most ${limit} redeliveries and test events a minute; try again in ${wait} s.`,
			{ retryable: true, retryAfter: wait },
		),
	);
}
