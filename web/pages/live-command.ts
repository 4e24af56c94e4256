// Live command status, for every page that shows a command:
//   <span class="badge accepted" data-live-command="/app/commands/cmd_…/status.json">accepted</span>
//   <span data-live-command-reason></span>   (optional, anywhere after it; gets the reason)
// The URL (same origin, the session cookie goes with it) answers
//   { "status": "applying", "label": "applying", "final": false, "reason": null }
// This module polls it until `final` (or the element leaves
// the page): soon at first (a command usually applies within tens of
// milliseconds, docs/commands.md "Latency"), then backing off to once a
// second; and keeps the badge's text and class, `data-status` and
// `data-final` in step. The element should sit in an aria-live region (the
// server renders role="status" around it) so screen readers hear the change.

/** Waits between polls: short at first, then once a second. */
const POLL_MS = [100, 200, 400, 700, 1000];
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
	const started = Date.now();
	let polls = 0;
	while (el.isConnected && Date.now() - started < MAX_MS) {
		try {
			const res = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
			if (res.ok) {
				const s = (await res.json()) as LiveStatus;
				render(el, s);
				if (s.final) return;
			} else if (res.status === 401 || res.status === 403 || res.status === 404) {
				return;
			}
		} catch {
			// A dropped connection: try again on the next tick.
		}
		await new Promise((r) => setTimeout(r, POLL_MS[Math.min(polls++, POLL_MS.length - 1)]));
	}
}

for (const el of document.querySelectorAll<HTMLElement>("[data-live-command]")) void follow(el);
