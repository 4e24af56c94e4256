/**
 * What the uploader page's browser tests share: files on disk (stable
 * `lastModified`, so re-adding one after a reload is "the same file" to tus),
 * adding them through the dashboard's file chooser or by a drop, throttling
 * the upload with Chromium's network emulation, and reading the page's
 * delivery list.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "@playwright/test";
import { expect, ROOT } from "./fixtures.ts";

export const MiB = 1024 * 1024;
/** Under test-results/ (ignored by git), whatever SCREENSHOTS_DIR says. */
const FILES = join(ROOT, "test-results", "uploader-files");

const HEADERS: Record<string, Buffer> = {
	pdf: Buffer.from("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n", "latin1"),
	png: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
};

export interface TestFile {
	path: string;
	name: string;
	bytes: Buffer;
	sha256: string;
}

/** A file of `size` bytes: a real header for .pdf / .png, random bytes after it. */
export function makeFile(name: string, size: number): TestFile {
	mkdirSync(FILES, { recursive: true });
	const ext = name.split(".").pop() ?? "";
	const header = HEADERS[ext] ?? Buffer.alloc(0);
	const bytes = Buffer.concat([header, randomBytes(Math.max(0, size - header.length))]).subarray(
		0,
		size,
	);
	const dir = join(FILES, `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`);
	mkdirSync(dir, { recursive: true });
	const path = join(dir, name);
	writeFileSync(path, bytes);
	return { path, name, bytes, sha256: createHash("sha256").update(bytes).digest("hex") };
}

/** Picks `files` with the dashboard's "browse" button and the browser's file chooser. */
export async function chooseFiles(page: Page, ...files: TestFile[]): Promise<void> {
	const chooser = page.waitForEvent("filechooser");
	await page
		.getByRole("button", { name: /browse/i })
		.first()
		.click();
	await (await chooser).setFiles(
		files.map((f) => ({ name: f.name, mimeType: mimeOf(f.name), buffer: f.bytes })),
	);
}

/** Picks `file` from disk (its modification time makes it "the same file" after a reload). */
export async function chooseFromDisk(page: Page, file: TestFile): Promise<void> {
	const chooser = page.waitForEvent("filechooser");
	await page
		.getByRole("button", { name: /browse/i })
		.first()
		.click();
	await (await chooser).setFiles(file.path);
}

/** Drops a file on the dashboard, with a DataTransfer built in the page. */
export async function dropFile(page: Page, name: string, bytes: Buffer): Promise<void> {
	const dataTransfer = await page.evaluateHandle(
		({ name, type, b64 }) => {
			// Runs in the page (this file is type-checked without the DOM library).
			const { DataTransfer } = globalThis as unknown as {
				DataTransfer: new () => { items: { add(file: File): void } };
			};
			const dt = new DataTransfer();
			const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
			dt.items.add(new File([data], name, { type }));
			return dt;
		},
		{ name, type: mimeOf(name), b64: bytes.toString("base64") },
	);
	const target = page.locator(".uppy-Dashboard-inner");
	await target.dispatchEvent("dragenter", { dataTransfer });
	await target.dispatchEvent("dragover", { dataTransfer });
	await target.dispatchEvent("drop", { dataTransfer });
}

export function mimeOf(name: string): string {
	if (name.endsWith(".pdf")) return "application/pdf";
	if (name.endsWith(".png")) return "image/png";
	if (name.endsWith(".txt")) return "text/plain";
	return "application/octet-stream";
}

/** Limits this page's upload speed (bytes per second; -1: no limit). */
export async function throttle(context: BrowserContext, page: Page, upload: number): Promise<void> {
	const cdp = await context.newCDPSession(page);
	await cdp.send("Network.emulateNetworkConditions", {
		offline: false,
		latency: 0,
		downloadThroughput: -1,
		uploadThroughput: upload,
	});
}

/** The delivery list's row of a file. */
export const row = (page: Page, name: string) =>
	page.locator(".delivery li", { has: page.locator(".name", { hasText: name }) });

export async function expectReceived(page: Page, name: string, timeout = 60_000): Promise<void> {
	await expect(row(page, name).locator(".status")).toHaveText("Received", { timeout });
}

/** The bytes of every PATCH the page sends, and each PATCH's Upload-Offset. */
export function recordPatches(page: Page): { offset: number; bytes: number }[] {
	const seen: { offset: number; bytes: number }[] = [];
	page.on("request", (req) => {
		if (req.method() !== "PATCH") return;
		seen.push({
			offset: Number(req.headers()["upload-offset"]),
			bytes: req.postDataBuffer()?.length ?? 0,
		});
	});
	return seen;
}

/** Every URL the page requested (no secret may ever appear in one). */
export function recordUrls(page: Page): string[] {
	const urls: string[] = [];
	page.on("request", (req) => urls.push(req.url()));
	return urls;
}

/** Every console line of the page (no secret may ever appear in one). */
export function recordConsole(page: Page): string[] {
	const lines: string[] = [];
	page.on("console", (m) => lines.push(m.text()));
	return lines;
}

/** The upload URL's secret (its fragment). */
export const secretOf = (uploadUrl: string) => new URL(uploadUrl).hash.slice(1);
