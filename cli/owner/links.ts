/** `receive-links links create|list|show|url|pause|resume|revoke|delete`. */
import type { Command } from "commander";
import type { CommandView, LinkView, SettingsInput } from "../../src/client/index.ts";
import { COMMAND_LABELS, formatBytes } from "../../src/client/vocabulary.ts";
import { CliError, EXIT } from "../exit.ts";
import { parseExpiry, parseSize, table } from "../format.ts";
import { ownerClient, print } from "./env.ts";

interface CreateOptions {
	title?: string;
	description?: string;
	maxFiles?: string;
	maxFileSize?: string;
	maxTotalSize?: string;
	extensions?: string;
	types?: string;
	expires?: string;
	password?: string;
	requireName?: boolean;
	requireEmail?: boolean;
	lateFinalize?: string;
	json?: boolean;
}

/** The settings the options name (only those given). */
export function settingsOf(o: CreateOptions): SettingsInput {
	const s: SettingsInput = {};
	try {
		if (o.title !== undefined) s.title = o.title;
		if (o.description !== undefined) s.description = o.description;
		if (o.maxFiles !== undefined) s.maxFiles = wholeNumber(o.maxFiles);
		if (o.maxFileSize !== undefined) s.maxFileBytes = parseSize(o.maxFileSize);
		if (o.maxTotalSize !== undefined) s.maxTotalBytes = parseSize(o.maxTotalSize);
		if (o.extensions !== undefined) s.allowedExtensions = list(o.extensions);
		if (o.types !== undefined) s.allowedMimeTypes = list(o.types);
		if (o.expires !== undefined) s.expiresAt = parseExpiry(o.expires);
		if (o.password !== undefined) s.password = o.password;
		if (o.requireName) s.requireUploaderName = true;
		if (o.requireEmail) s.requireUploaderEmail = true;
		if (o.lateFinalize === "recover" || o.lateFinalize === "reject")
			s.lateFinalize = o.lateFinalize;
		else if (o.lateFinalize !== undefined) throw new Error("--late-finalize is recover or reject");
	} catch (error) {
		throw new CliError((error as Error).message, EXIT.usage);
	}
	return s;
}

function wholeNumber(text: string): number {
	const n = Number(text);
	if (!Number.isInteger(n) || n < 1) throw new Error(`not a whole number: ${text}`);
	return n;
}

function list(text: string): string[] {
	return text
		.split(",")
		.map((s) => s.trim())
		.filter(Boolean);
}

export function linkText(link: LinkView): string {
	const s = link.settings;
	const rows: [string, string][] = [
		["id", link.id],
		["title", s.title],
		["state", link.closing ? `${link.state} (closing)` : link.state],
		["epoch", String(link.epoch)],
		["files", `${link.counters.files} (${formatBytes(link.counters.bytes, "column")})`],
		["max files", s.maxFiles === null ? "no limit" : String(s.maxFiles)],
		["max file size", formatBytes(s.maxFileBytes, "column")],
		["max total", s.maxTotalBytes === null ? "no limit" : formatBytes(s.maxTotalBytes, "column")],
		["types", [...s.allowedExtensions, ...s.allowedMimeTypes].join(", ") || "any"],
		["expires", s.expiresAt ?? "never"],
		["password", s.passwordRequired ? "yes" : "no"],
		[
			"pending commands",
			link.pendingCommands.map((c) => `${c.kind} ${COMMAND_LABELS[c.status]}`).join(", ") || "none",
		],
		["created", link.createdAt],
	];
	return rows.map(([k, v]) => `${`${k}:`.padEnd(18)}${v}`).join("\n");
}

function commandText(c: CommandView): string {
	const tail = c.result ? ` (${c.result})` : c.error ? ` (${c.error})` : "";
	return `${c.kind} ${COMMAND_LABELS[c.status]}${tail}, command ${c.id}`;
}

export function registerLinks(
	program: Command,
	run: (fn: () => Promise<unknown>) => Promise<void>,
) {
	const links = program
		.command("links")
		.description("the owner's links (needs RECEIVE_LINKS_API_KEY)");

	links
		.command("create")
		.description("create a link and print its upload URL")
		.option("--title <text>", "title shown to uploaders")
		.option("--description <text>", "description shown to uploaders")
		.option("--max-files <n>", "most files the link accepts")
		.option("--max-file-size <size>", "largest file, e.g. 500MiB")
		.option("--max-total-size <size>", "most bytes in all, e.g. 10GiB")
		.option("--extensions <list>", "allowed extensions, e.g. pdf,jpg")
		.option("--types <list>", "allowed MIME types, e.g. image/*,application/pdf")
		.option("--expires <when>", "ISO time, or from now: 30m, 12h, 7d")
		.option("--password <password>", "uploaders must give this password (8+ characters)")
		.option("--require-name", "uploaders must give a name")
		.option("--require-email", "uploaders must give an email")
		.option("--late-finalize <policy>", "recover or reject")
		.option("--json", "print the created link as JSON")
		.action((o: CreateOptions) =>
			run(async () => {
				const created = await ownerClient().createLink(settingsOf(o));
				if (o.json) return print(true, created, () => "");
				process.stderr.write(`created link ${created.link.id} (${created.link.settings.title})\n`);
				process.stdout.write(`${created.uploadUrl}\n`);
			}),
		);

	links
		.command("list")
		.description("list the links, newest first")
		.option("--json", "print JSON")
		.action((o: { json?: boolean }) =>
			run(async () => {
				const client = ownerClient();
				const items = await client.all((page) => client.listLinks(page));
				print(o.json, { items }, () =>
					items.length === 0
						? "no links"
						: table(
								["ID", "STATE", "FILES", "SIZE", "CREATED", "TITLE"],
								items.map((l) => [
									l.id,
									l.closing ? `${l.state}*` : l.state,
									String(l.files),
									formatBytes(l.bytes, "column"),
									l.createdAt.slice(0, 16).replace("T", " "),
									l.title,
								]),
							),
				);
			}),
		);

	links
		.command("show <linkId>")
		.description("show one link")
		.option("--json", "print JSON")
		.action((linkId: string, o: { json?: boolean }) =>
			run(async () => {
				const { link } = await ownerClient().getLink(linkId);
				print(o.json, { link }, () => linkText(link));
			}),
		);

	links
		.command("url <linkId>")
		.description("print the link's upload URL again")
		.action((linkId: string) =>
			run(async () => {
				process.stdout.write(`${await ownerClient().getUploadUrl(linkId)}\n`);
			}),
		);

	for (const kind of ["pause", "resume"] as const)
		links
			.command(`${kind} <linkId>`)
			.description(`${kind} the link (uploads wait while it is paused)`)
			.option("--wait", "accepted for symmetry: pause and resume are immediate")
			.option("--json", "print JSON")
			.action((linkId: string, o: { json?: boolean }) =>
				run(async () => {
					const client = ownerClient();
					const link = kind === "pause" ? await client.pause(linkId) : await client.resume(linkId);
					print(o.json, { link }, () => `link ${link.id}: ${link.state}`);
				}),
			);

	for (const kind of ["revoke", "delete"] as const)
		links
			.command(`${kind} <linkId>`)
			.description(
				kind === "revoke"
					? "close the link for good (files stay)"
					: "close the link and delete its files",
			)
			.option("--wait", "wait for the command's final status")
			.option("--json", "print JSON")
			.action((linkId: string, o: { wait?: boolean; json?: boolean }) =>
				run(async () => {
					const client = ownerClient();
					const accepted =
						kind === "revoke" ? await client.revoke(linkId) : await client.delete(linkId);
					const command = o.wait
						? await client.waitForCommand(accepted.command.id, { timeoutMs: 10 * 60_000 })
						: accepted.command;
					print(o.json, { command }, () => `link ${linkId}: ${commandText(command)}`);
					if (o.wait && command.status !== "succeeded") return EXIT.failure;
				}),
			);
}
