/**
 * The commands of `receive-links` (commander: subcommands, options, help
 * and usage errors), each one's errors turned into words on stderr and an
 * exit code in one place (`run`).
 */
import { Command, InvalidArgumentError } from "commander";
import { EXIT, explain } from "./exit.ts";
import { registerFiles } from "./owner/files.ts";
import { registerLinks } from "./owner/links.ts";
import { runUpload, type UploadCommandOptions } from "./upload/run.ts";

/** Runs a command's body: its answer or its error's code becomes the exit code. */
async function run(fn: () => Promise<unknown>): Promise<void> {
	try {
		const code = await fn();
		process.exitCode = typeof code === "number" ? code : EXIT.ok;
	} catch (error) {
		const { exitCode, message } = explain(error);
		process.stderr.write(`receive-links: ${message}\n`);
		process.exitCode = exitCode;
	}
}

function positive(name: string) {
	return (value: string): number => {
		const n = Number(value);
		if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name}: a whole number`);
		return n;
	};
}

export function buildProgram(): Command {
	const program = new Command("receive-links")
		.description(
			"Upload to a receive link, and manage your links and files.\n" +
				"Owner commands read RECEIVE_LINKS_URL (default http://localhost:8787) and RECEIVE_LINKS_API_KEY.",
		)
		.version("0.1.0")
		.showHelpAfterError("(add --help for usage)")
		.exitOverride((err) => {
			// Help and version exit 0; every usage error exits 2 (docs/cli.md).
			process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage);
		});

	program
		.command("upload <uploadUrl> <paths...>")
		.description("upload files and folders to a link (resumable: rerun the same command)")
		.option("--password <password>", "the link's password, if it has one")
		.option("--name <name>", "your name (some links require it)")
		.option("--email <email>", "your email (some links require it)")
		.option("--type <mime>", "MIME type for every file (default: from the extension)")
		.option("--wait", "wait until each file is finalized (handed over to the owner)")
		.option("--json", "one JSON object per line instead of progress")
		.option(
			"--state <file>",
			"resume state file (default $XDG_STATE_HOME/receive-links/<linkId>.json)",
		)
		.option("--concurrency <n>", "parts in flight at once", positive("--concurrency"), 4)
		.option("--retries <n>", "retries after a failed connection", positive("--retries"), 5)
		.action((uploadUrl: string, paths: string[], options: UploadCommandOptions) =>
			run(() =>
				runUpload(uploadUrl, paths, { ...options, concurrency: Math.max(1, options.concurrency) }),
			),
		);

	registerLinks(program, run);
	registerFiles(program, run);
	return program;
}
