/**
 * `receive-links upload <uploadUrl> <files or folders...>`: the files one
 * after another (each file's parts in parallel), resumable from the state
 * file, stopping cleanly on Ctrl-C, a lost connection or a link gone for
 * good. Answers the exit code (docs/cli.md, "Exit codes").
 */
import { parseUploadUrl, UploaderClient } from "../../src/client/index.ts";
import {
	CliError,
	type Described,
	EXIT,
	type ExitCode,
	explain,
	InterruptedError,
} from "../exit.ts";
import { abortableSleep, retryingFetch } from "../net.ts";
import { collectFiles } from "./files.ts";
import { JsonReporter, type Reporter } from "./report.ts";
import { LineReporter, TtyReporter } from "./report-human.ts";
import { defaultStatePath, StateStore } from "./state.ts";
import { uploadFile } from "./strategy.ts";

export interface UploadCommandOptions {
	password?: string;
	name?: string;
	email?: string;
	type?: string;
	wait?: boolean;
	json?: boolean;
	state?: string;
	concurrency: number;
	retries: number;
}

/** Problems that concern the link, not the file: the next file would get the same answer. */
const LINK_WIDE = new Set([
	"password-required",
	"password-incorrect",
	"too-many-attempts",
	"uploader-details-required",
	"link-not-found",
	"unauthorized",
]);

export async function runUpload(
	uploadUrl: string,
	paths: string[],
	options: UploadCommandOptions,
): Promise<ExitCode> {
	let linkId: string;
	try {
		linkId = parseUploadUrl(uploadUrl).linkId;
	} catch (error) {
		throw new CliError((error as Error).message, EXIT.usage);
	}
	const files = await collectFiles(paths, options.type);
	const reporter: Reporter = options.json
		? new JsonReporter()
		: process.stdout.isTTY
			? new TtyReporter()
			: new LineReporter();

	const controller = new AbortController();
	const onSignal = () => {
		if (controller.signal.aborted) process.exit(EXIT.interrupted);
		controller.abort();
	};
	process.on("SIGINT", onSignal);
	process.on("SIGTERM", onSignal);

	const client = new UploaderClient(uploadUrl, {
		fetch: retryingFetch({
			signal: controller.signal,
			retries: options.retries,
			onRetry: (a, ms, cause) => reporter.retrying(a, ms, cause),
			onBody: (request, sent, finished) => reporter.body(request, sent, finished),
		}),
		concurrency: options.concurrency,
		onWait: (problem, ms) => reporter.waiting(problem, ms),
		sleep: (ms) => abortableSleep(ms, controller.signal),
		// A person is watching: ask for the finalize outcome twice a second (Retry-After permitting).
		pollMs: 500,
	});
	const state = await StateStore.open(options.state ?? defaultStatePath(linkId), linkId);
	const meta = {
		...(options.password !== undefined ? { password: options.password } : {}),
		...(options.name !== undefined ? { uploaderName: options.name } : {}),
		...(options.email !== undefined ? { uploaderEmail: options.email } : {}),
	};

	const started = Date.now();
	let done = 0;
	let failed = 0;
	let bytes = 0;
	let exitCode: ExitCode = EXIT.ok;
	let stopped: Described | undefined;
	reporter.start(files);
	for (const file of files) {
		try {
			const outcome = await uploadFile(
				client,
				file,
				state,
				{
					start: (info) => reporter.fileStart(file, info),
					part: (part) => reporter.part(file, part),
				},
				{ meta, wait: options.wait === true },
			);
			const status = outcome.command.status;
			if (status === "rejected" || status === "cancelled") {
				failed++;
				exitCode = worse(exitCode, status === "rejected" ? EXIT.refused : EXIT.failure);
			} else {
				done++;
				bytes += file.size;
			}
			await state.done(file);
			reporter.fileDone(file, outcome);
		} catch (error) {
			const why = explain(controller.signal.aborted ? new InterruptedError("interrupted") : error);
			const code = why.problem?.code ?? "";
			if (
				why.exitCode === EXIT.interrupted ||
				why.exitCode === EXIT.network ||
				(why.exitCode === EXIT.gone && code !== "upload-aborted") ||
				LINK_WIDE.has(code)
			) {
				stopped = {
					...why,
					message: why.exitCode === EXIT.interrupted ? "interrupted" : why.message,
				};
				exitCode = why.exitCode;
				break;
			}
			failed++;
			exitCode = worse(exitCode, why.exitCode);
			reporter.fileFailed(file, why);
		}
	}
	process.off("SIGINT", onSignal);
	process.off("SIGTERM", onSignal);
	const resumable = exitCode === EXIT.interrupted || exitCode === EXIT.network;
	// Sessions of refused files or of a link gone for good cannot be resumed.
	if (!resumable) await state.clear();
	reporter.finish({
		files: files.length,
		done,
		failed,
		bytes,
		seconds: (Date.now() - started) / 1000,
		exitCode,
		...(stopped ? { stopped } : {}),
		statePath: state.path,
		stateKept: resumable && !state.empty,
	});
	return exitCode;
}

/** The exit code that says more: a stop outranks a refusal, a refusal a plain failure. */
function worse(a: ExitCode, b: ExitCode): ExitCode {
	const order: ExitCode[] = [EXIT.ok, EXIT.failure, EXIT.refused, EXIT.gone, EXIT.network];
	const rank = (c: ExitCode) => order.indexOf(c);
	return rank(b) > rank(a) ? b : a;
}
