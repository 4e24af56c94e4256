// Dashboard-only enhancements (owned by src/pages/app); every page works without them.
//
// Copy buttons: <button data-copy="<input id>" hidden> next to a read-only
// input; shown once this script runs, it copies the input's value and says so
// in the nearest [data-copy-status] (a role="status" region). Where the
// clipboard API is refused, the text is selected and the person is told to
// press Ctrl+C (or ⌘C).

async function copy(input: HTMLInputElement): Promise<boolean> {
	try {
		await navigator.clipboard.writeText(input.value);
		return true;
	} catch {
		input.focus();
		input.select();
		return false;
	}
}

for (const button of document.querySelectorAll<HTMLButtonElement>("button[data-copy]")) {
	const input = document.getElementById(button.dataset.copy ?? "");
	if (!(input instanceof HTMLInputElement)) continue;
	const status = button.closest(".field")?.querySelector<HTMLElement>("[data-copy-status]");
	button.hidden = false;
	button.addEventListener("click", async () => {
		const done = await copy(input);
		if (status)
			status.textContent = done
				? "Copied. Paste it into a message to the people who should send you files."
				: "Selected: press Ctrl+C (or ⌘C) to copy it.";
		if (done) button.textContent = "Copied";
	});
}

// A read-only URL is selected whole when it gets focus (easy to copy by hand).
for (const input of document.querySelectorAll<HTMLInputElement>("input[readonly]")) {
	input.addEventListener("focus", () => input.select());
}

// A command's page: when the live badge (live-command.ts) moves to another
// status, the details under it (epochs, attempts, steps) are read again from
// the same page, so they never contradict the badge.
const details = document.querySelector<HTMLElement>("[data-command-details]");
const badge = document.querySelector<HTMLElement>("[data-live-command]");
if (details && badge) {
	const refresh = async () => {
		try {
			const res = await fetch(location.href, {
				cache: "no-store",
				headers: { Accept: "text/html" },
			});
			if (!res.ok) return;
			const page = new DOMParser().parseFromString(await res.text(), "text/html");
			const fresh = page.querySelector("[data-command-details]");
			if (fresh) details.replaceChildren(...Array.from(fresh.childNodes));
		} catch {
			// The next status change tries again.
		}
	};
	new MutationObserver((records) => {
		if (records.some((r) => r.oldValue !== badge.dataset.status)) void refresh();
	}).observe(badge, {
		attributes: true,
		attributeFilter: ["data-status"],
		attributeOldValue: true,
	});
}
