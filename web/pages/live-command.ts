// Live command status, for every page that shows a command:
//   <span class="badge accepted" data-live-command="/app/commands/cmd_…/status.json">accepted</span>
//   <span data-live-command-reason></span>   (optional, anywhere after it; gets the reason)
// The URL (same origin, the session cookie goes with it) answers
//   { "status": "applying", "label": "applying", "final": false, "reason": null }
// This module watches it (`watch()`, src/client/watch.ts) until `final` (or
// the element leaves the page, or 10 minutes pass): soon at first (a command
// usually applies within tens of milliseconds, docs/commands.md "Latency"),
// then backing off to once a second; and keeps the badge's text and class,
// `data-status` and `data-final` in step. It stops on 401, 403 and 404 and
// asks again after anything else. The element should sit in an aria-live
// region (the server renders role="status" around it) so screen readers hear
// the change.
import { watch } from "../../src/client/watch.ts";

/** The first wait and the longest, ms. */
const BACKOFF = { firstMs: 100, capMs: 1000 };
const MAX_MS = 10 * 60 * 1000;

interface LiveStatus {
	status: string;
	label?: string;
	final: boolean;
	reason?: string | null;
}

function render(el: HTMLElement, s: LiveStatus): void {
	el.textContent = s.label ?? s.status.replace(/_/g, " ");
	el.className = `badge ${s.status}`;
	el.dataset.status = s.status;
	if (s.final) el.dataset.final = "1";
	const reason = el.parentElement?.querySelector<HTMLElement>("[data-live-command-reason]");
	if (reason) reason.textContent = s.reason ?? "";
}

async function follow(el: HTMLElement): Promise<void> {
	const url = el.dataset.liveCommand;
	if (!url || el.dataset.final === "1") return;
	const left = new AbortController();
	try {
		await watch<LiveStatus>({
			request: (signal) => {
				if (!el.isConnected) left.abort();
				return fetch(url, {
					headers: { Accept: "application/json" },
					cache: "no-store",
					...(signal ? { signal } : {}),
				});
			},
			read: async (res) => (await res.json()) as LiveStatus,
			onState: (s) => render(el, s),
			done: (s) => s.final,
			gone: (status) => status === 401 || status === 403 || status === 404,
			failures: "retry",
			backoff: BACKOFF,
			timeoutMs: MAX_MS,
			signal: left.signal,
		});
	} catch (error) {
		if (!left.signal.aborted) throw error;
	}
}

for (const el of document.querySelectorAll<HTMLElement>("[data-live-command]")) void follow(el);
