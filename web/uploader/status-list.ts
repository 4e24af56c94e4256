// The page's own per-file delivery list. Uppy's "Complete" only means the
// bytes arrived; a file is "Received" once its finalize command succeeded.
// Each row: the name, a progress bar while sending, and the status in words;
// status changes are announced (aria-live), progress is not.

import { formatBytes } from "../../src/client/vocabulary.ts";
import { h } from "./dom.ts";

export type FileStatus =
	| "queued"
	| "sending"
	| "paused"
	| "waiting"
	| "checking"
	| "received"
	| "failed";

const LABEL: Record<FileStatus, string> = {
	queued: "Waiting to send",
	sending: "Sending…",
	paused: "Paused",
	waiting: "On hold until the link reopens",
	checking: "Checking…",
	received: "Received",
	failed: "Not received",
};

interface Row {
	li: HTMLLIElement;
	status: FileStatus;
	label: HTMLElement;
	reason: HTMLElement;
	bar: HTMLProgressElement;
	sent: number;
	total: number;
}

export class StatusList {
	readonly element: HTMLElement;
	private readonly list: HTMLUListElement;
	private readonly totalLine: HTMLElement;
	private readonly bytesLine: HTMLElement;
	private readonly rows = new Map<string, Row>();

	constructor() {
		this.list = h("ul", {
			class: "files",
			"aria-live": "polite",
			"aria-relevant": "additions text",
		});
		this.totalLine = h("p", { class: "total", "aria-live": "polite" });
		this.bytesLine = h("p", { class: "muted small" });
		this.element = h(
			"section",
			{ class: "delivery", "aria-labelledby": "delivery-h", hidden: true },
			h("h2", { id: "delivery-h" }, "Delivery"),
			this.list,
			this.totalLine,
			this.bytesLine,
		);
	}

	add(id: string, name: string, size: number): void {
		if (this.rows.has(id)) return;
		const label = h("span", { class: "status" });
		const reason = h("span", { class: "reason" });
		const bar = h("progress", { max: 100, value: 0, "aria-label": `${name}: sent` });
		const li = h(
			"li",
			{ "data-file": name },
			h("span", { class: "name" }, name),
			h("span", { class: "size muted" }, formatBytes(size)),
			bar,
			h("span", { class: "state" }, label, reason),
		);
		const row: Row = { li, status: "queued", label, reason, bar, sent: 0, total: size };
		this.rows.set(id, row);
		this.list.append(li);
		this.element.hidden = false;
		this.paint(row, "queued", "");
		this.summarize();
	}

	remove(id: string): void {
		const row = this.rows.get(id);
		if (!row) return;
		row.li.remove();
		this.rows.delete(id);
		this.element.hidden = this.rows.size === 0;
		this.summarize();
	}

	set(id: string, status: FileStatus, reason = ""): void {
		const row = this.rows.get(id);
		if (!row) return;
		// "Received" is final; "Not received" changes only when the file is sent again (queued).
		if (row.status === "received") return;
		if (row.status === "failed" && status !== "failed" && status !== "queued") return;
		this.paint(row, status, reason);
		this.summarize();
	}

	get(id: string): FileStatus | undefined {
		return this.rows.get(id)?.status;
	}

	ids(): string[] {
		return [...this.rows.keys()];
	}

	progress(id: string, sent: number, total: number): void {
		const row = this.rows.get(id);
		if (!row) return;
		row.sent = sent;
		row.total = total;
		row.bar.value = total > 0 ? Math.floor((sent / total) * 100) : 100;
		this.summarize();
	}

	private paint(row: Row, status: FileStatus, reason: string): void {
		const statusChanged = row.status !== status || row.label.textContent === "";
		row.status = status;
		row.li.dataset.status = status;
		if (statusChanged) row.label.textContent = LABEL[status];
		if (row.reason.textContent !== (reason ? `: ${reason}` : ""))
			row.reason.textContent = reason ? `: ${reason}` : "";
		row.bar.hidden = !(status === "sending" || status === "paused" || status === "waiting");
		if (status === "checking" || status === "received") row.bar.value = 100;
	}

	private summarize(): void {
		const rows = [...this.rows.values()];
		const received = rows.filter((r) => r.status === "received").length;
		const failed = rows.filter((r) => r.status === "failed").length;
		const sending = rows.filter((r) =>
			["queued", "sending", "paused", "waiting"].includes(r.status),
		);
		const parts = [
			`Received ${received} of ${rows.length} ${rows.length === 1 ? "file" : "files"}.`,
		];
		if (failed) parts.push(`${failed} not received.`);
		// The live line changes with the files' statuses, not with every progress tick.
		const text = parts.join(" ");
		if (this.totalLine.textContent !== text) this.totalLine.textContent = text;
		const sent = sending.reduce((n, r) => n + r.sent, 0);
		const total = sending.reduce((n, r) => n + r.total, 0);
		this.bytesLine.textContent = sending.length
			? `In progress: ${formatBytes(sent)} of ${formatBytes(total)} sent.`
			: "";
	}
}
