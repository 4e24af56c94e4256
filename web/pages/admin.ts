// Admin-console-only enhancements (owned by src/pages/admin); every page works without them.
//
// 1. Copy buttons for a key shown once:
//      <input id="api-key" readonly value="rlk_…">
//      <button type="button" data-admin-copy="api-key" hidden>Copy</button>
//      <span data-admin-copied="api-key" role="status"></span>
//    The server renders the button hidden (without this script the key is
//    selected by hand); here it is shown and copies the input's value.
//
// 2. Facts that follow a live command: an element with `data-admin-refresh`
//    (and an id) around a live status badge (live-command.ts) is replaced by
//    the same element of a fresh copy of the page once the badge is final, so
//    the steps, epochs and times shown match the final status.

function copyButtons(): void {
	for (const button of document.querySelectorAll<HTMLButtonElement>("button[data-admin-copy]")) {
		const id = button.dataset.adminCopy ?? "";
		const input = document.getElementById(id);
		if (!(input instanceof HTMLInputElement)) continue;
		const said = document.querySelector<HTMLElement>(`[data-admin-copied="${CSS.escape(id)}"]`);
		button.hidden = false;
		button.addEventListener("click", async () => {
			input.select();
			try {
				await navigator.clipboard.writeText(input.value);
				if (said) said.textContent = "Copied.";
			} catch {
				if (said) said.textContent = "Could not copy: the key is selected, copy it by hand.";
			}
		});
	}
}

async function refresh(target: HTMLElement): Promise<void> {
	try {
		const res = await fetch(location.href, { cache: "no-store", headers: { Accept: "text/html" } });
		if (!res.ok) return;
		const fresh = new DOMParser()
			.parseFromString(await res.text(), "text/html")
			.getElementById(target.id);
		if (fresh) target.replaceWith(document.importNode(fresh, true));
	} catch {
		// The facts stay as they were; reloading the page shows them.
	}
}

function refreshWhenFinal(): void {
	for (const area of document.querySelectorAll<HTMLElement>("[data-admin-refresh][id]")) {
		const badge = area.querySelector<HTMLElement>("[data-live-command]");
		if (!badge || badge.dataset.final === "1") continue;
		const watch = new MutationObserver(() => {
			if (badge.dataset.final !== "1") return;
			watch.disconnect();
			void refresh(area);
		});
		watch.observe(badge, { attributes: true, attributeFilter: ["data-final"] });
	}
}

copyButtons();
refreshWhenFinal();
