// The uploader page's script (docs/uploads.md and docs/web.md). The server renders
// only `#uploader[data-link-id]`; the secret is the URL's fragment, which no
// browser sends to a server. This script reads it, asks the link's public
// info with the `Link-Secret` header, and builds the page: the link's title,
// description, limits and quota, the details form, Uppy's dashboard, and the
// delivery list. The secret is never put in a URL, logged or stored.
import "@uppy/core/css/style.min.css";
import "@uppy/dashboard/css/style.min.css";
import "./uploader.css";
import { LinkApi, type Problem, type PublicLinkInfo } from "./api.ts";
import { DetailsForm } from "./details.ts";
import { fill, h } from "./dom.ts";
import { LinkWatch, type WatchState } from "./link-watch.ts";
import { pendingUploads } from "./resume-store.ts";
import { Sender } from "./sender.ts";
import { closedWords, limitLines, list } from "./sentences.ts";
import { StatusList } from "./status-list.ts";
import { DOES_NOT_WORK, WAITING } from "./words.ts";

const root = document.getElementById("uploader");
if (root) void start(root);

function setTitle(text: string): void {
	document.title = `${text} · Receive links`;
}

/** A page of its own: a heading, words, and optionally something more (a list, a button). */
function message(
	root: HTMLElement,
	state: string,
	title: string,
	text: string,
	...more: Node[]
): void {
	root.dataset.state = state;
	setTitle(title);
	fill(root, h("h1", {}, title), h("p", {}, text), ...more);
}

async function start(root: HTMLElement): Promise<void> {
	const linkId = root.dataset.linkId ?? "";
	const secret = location.hash.slice(1).trim();
	if (!secret)
		return message(
			root,
			"broken",
			"This link does not work",
			`The link is incomplete. ${DOES_NOT_WORK}`,
		);
	const api = new LinkApi(linkId, secret);
	const info = await api.info();
	if (info.ok) return open(root, api, info.link);
	failed(root, info.problem, () => void start(root));
}

function failed(root: HTMLElement, problem: Problem, retry: () => void): void {
	if (problem.status === 410 && problem.code) {
		const words = closedWords(problem.code);
		message(root, "closed", words.title, words.text);
	} else if (problem.status === 404) {
		message(root, "broken", "This link does not work", DOES_NOT_WORK);
	} else {
		const again = h("button", { type: "button" }, "Try again");
		again.addEventListener("click", retry);
		message(
			root,
			"unreachable",
			"Send files",
			"The service could not be reached. Check your connection and try again.",
			again,
		);
	}
}

/** The open page: header, limits, details form, dashboard, delivery list. */
function open(root: HTMLElement, api: LinkApi, link: PublicLinkInfo): void {
	root.dataset.state = "open";
	root.removeAttribute("aria-live");
	setTitle(`Send files: ${link.title}`);
	const notice = h("div", { class: "link-state", role: "status" });
	const limits = h("ul", { class: "limits" });
	const notes = h("ul", { class: "notes", "aria-live": "polite" });
	const dashboard = h("div", { class: "dashboard" });
	const list = new StatusList();
	const full = link.limits.remainingFiles === 0 || link.limits.remainingBytes === 0;
	const sendSection = h(
		"section",
		{ class: "send", "aria-labelledby": "send-h" },
		h("h2", { id: "send-h" }, "Your files"),
		dashboard,
		notes,
	);
	let sender: Sender | null = null;
	let closedShown = false;

	const showLimits = (l: PublicLinkInfo) =>
		fill(limits, ...limitLines(l).map((line) => h("li", {}, line)));
	const onState = (state: WatchState, fresh?: PublicLinkInfo) => {
		if (fresh && state.kind !== "closed") showLimits(fresh);
		sender?.linkState(state);
		if (state.kind === "closed") {
			if (closedShown) return;
			closedShown = true;
			const words = closedWords(state.code, fresh?.expiresAt ?? link.expiresAt);
			const keep = list.element.hidden ? [] : [list.element];
			return message(root, "closed", words.title, words.text, ...keep);
		}
		root.dataset.link = state.kind === "waiting" ? state.why : "active";
		if (state.kind === "waiting") {
			notice.className = "link-state notice warn";
			notice.textContent = WAITING[state.why];
		} else if (notice.textContent) {
			notice.className = "link-state notice ok";
			notice.textContent = "The link is open again. Your uploads continue.";
		}
	};
	const watch = new LinkWatch(api, onState);

	const form = new DetailsForm(link, (details) => {
		sender?.setDetails(details);
		sendSection.hidden = false;
	});
	sendSection.hidden = !form.ready || full;

	fill(
		root,
		h("h1", {}, link.title),
		link.description ? h("p", { class: "description" }, link.description) : null,
		notice,
		h(
			"section",
			{ class: "what", "aria-labelledby": "what-h" },
			h("h2", { id: "what-h" }, "What you can send"),
			limits,
		),
		full
			? h(
					"p",
					{ class: "notice warn", role: "status" },
					"There is no room left on this link. Ask the person who sent it to you to make room.",
				)
			: null,
		form.empty || full ? null : form.element,
		sendSection,
		list.element,
	);
	showLimits(link);

	if (!full) {
		sender = new Sender(dashboard, api, link, watch, list, {
			onCredentials: (code, retryAfter) => {
				if (code === "uploader-details-required")
					return form.showError(
						"details",
						"Enter your details: this link needs them before it takes files.",
					);
				const text =
					code === "too-many-attempts"
						? `Too many wrong passwords were tried on this link. Wait ${wait(retryAfter)}, then press Continue again.`
						: code === "password-required"
							? "Enter the password you were given, then press Continue."
							: "That password is not right. Check it and press Continue again.";
				form.showError("password", text);
			},
			onRefused: (text) => {
				notes.prepend(h("li", {}, text));
				while (notes.children.length > 5) notes.lastElementChild?.remove();
			},
		});
		if (form.empty) sender.setDetails(form.values());
		resumable(sender, api, sendSection);
	}
	watch.fromInfo(link);
}

/** Unfinished uploads of an earlier visit: say which files to add again to continue them. */
function resumable(sender: Sender, api: LinkApi, section: HTMLElement): void {
	const names = new Set(pendingUploads(api.endpoint).names);
	if (!names.size) return;
	const note = h("p", { class: "notice resume", role: "status" });
	const render = () => {
		note.textContent = `Not finished on your last visit: ${list([...names].map((n) => `“${n}”`))}. Add the same ${names.size === 1 ? "file" : "files"} again and ${names.size === 1 ? "it continues" : "they continue"} where ${names.size === 1 ? "it" : "they"} stopped.`;
		note.hidden = names.size === 0;
	};
	sender.uppy.on("file-added", (file) => {
		if (file.name && names.delete(file.name)) render();
	});
	render();
	section.querySelector("h2")?.after(note);
}

function wait(seconds: number | undefined): string {
	if (!seconds || seconds <= 1) return "a moment";
	if (seconds < 90) return `${Math.ceil(seconds)} seconds`;
	return `${Math.ceil(seconds / 60)} minutes`;
}
