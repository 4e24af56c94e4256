/** @jsxImportSource hono/jsx */
/**
 * The actions on a pending dead letter: Replay (POST, then the detail page
 * follows the command live), and Discard behind a server-rendered
 * confirmation step. A dead letter that is no longer pending answers with
 * its detail page and the reason in words, never an error code alone.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import type { AppEnv } from "../../app-env";
import { ReceiveLinkError } from "../../client/problem";
import type { CommandView } from "../../contract/index";
import { apiFor } from "../api-client";
import { pathId } from "../ids";
import { ConfirmOrCancel } from "../layout";
import { wordsFor } from "../problems";
import { CommandFacts } from "./command-view";
import { deadLetterHref, detailPage, isWebhookDeadLetter } from "./dead-letters";
import { AdminPage } from "./frame";

/** What discarding does to the link, which depends on how far the command got. */
function discardEffect(command: CommandView | null): string {
	if (!command) return "The dead letter is marked discarded.";
	if (command.appliedEpoch === null)
		return `The ${command.kind} was never applied: the link stops closing and accepts uploads again (unless another command waits).`;
	return `The ${command.kind} was already applied at epoch ${command.appliedEpoch} and stays applied: only its remaining clean-up steps stop being retried (the background sweep finishes them).`;
}

/** Runs an action; a problem the admin can act on comes back as the detail page with it in words. */
async function act(
	c: Context<AppEnv>,
	id: string,
	action: () => Promise<unknown>,
	done: "replayed" | "discarded",
) {
	try {
		await action();
	} catch (error) {
		if (!(error instanceof ReceiveLinkError) || error.status !== 409) throw error;
		c.status(409);
		return detailPage(c, id, { error: wordsFor(error.code, error.problem.detail) });
	}
	return c.redirect(`${deadLetterHref(id)}?done=${done}`, 303);
}

export const deadLetterActions = new Hono<AppEnv>()
	.post("/:id/replay", (c) => {
		const id = pathId(c, "id", "deadLetter");
		return act(c, id, () => apiFor(c).replayDeadLetter(id), "replayed");
	})
	.get("/:id/discard", async (c) => {
		const id = pathId(c, "id", "deadLetter");
		const { deadLetter: dl, command } = await apiFor(c).getDeadLetter(id);
		if (dl.status !== "pending") {
			c.status(409);
			return detailPage(c, id, { error: wordsFor("dead-letter-not-pending") });
		}
		const back = deadLetterHref(id);
		return c.html(
			<AdminPage title="Discard this dead letter?" section="dead-letters">
				<h1>Discard this dead letter?</h1>
				<p>
					{isWebhookDeadLetter(dl)
						? "Discarding marks this webhook handled for good: it will not be sent again, and the dead letter cannot be replayed afterwards."
						: "Discarding cancels the command for good: it will not be retried, and the dead letter cannot be replayed afterwards."}
				</p>
				<p>{discardEffect(command)}</p>
				{command ? (
					<section class="panel" aria-labelledby="discard-command">
						<h2 id="discard-command">The command</h2>
						<CommandFacts command={command} />
					</section>
				) : null}
				<ConfirmOrCancel action={`${back}/discard`} cancel={back}>
					{command ? "Discard the command" : "Discard"}
				</ConfirmOrCancel>
			</AdminPage>,
		);
	})
	.post("/:id/discard", (c) => {
		const id = pathId(c, "id", "deadLetter");
		return act(c, id, () => apiFor(c).discardDeadLetter(id), "discarded");
	});
