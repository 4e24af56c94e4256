/** @jsxImportSource hono/jsx */
/**
 * The pieces of the dashboard's webhook pages (webhooks.tsx): the endpoint
 * form and how its values are read, the signing secret panel, refusals in
 * words, and the notices after each action.
 */
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import { ReceiveLinkError } from "../../client/problem";
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from "../../contract/enums";
import type { apiFor } from "../api-client";
import { Notice } from "../layout";
import { wordsFor } from "../problems";

const TYPE_WORDS: Record<WebhookEventType, string> = {
	"upload.finalized": "a file was received",
	"upload.rejected": "a file was refused",
	"link.paused": "a link was paused",
	"link.resumed": "a link was resumed",
	"link.revoked": "a link was revoked",
	"link.deleted": "a link was deleted",
	"link.expired": "a link expired",
	"command.dead_lettered": "a command failed for good",
};

export const DONE: Record<string, string> = {
	saved: "The endpoint is saved.",
	created: "The endpoint is added. Give its signing secret to your receiver.",
	rotated:
		"The secret is rotated. The old one also signs for one day, so your receiver can switch over.",
	"test-sent": "A test event is on its way. It shows in the delivery log below once it is tried.",
	redelivered: "The event is sent again. Its attempts show in the delivery log below.",
	"redelivery-pending":
		"This event is already being sent again to this endpoint. Its attempts show in the delivery log below.",
	deleted: "The endpoint is deleted. Nothing more is sent to it.",
};

export type Endpoint = Awaited<ReturnType<ReturnType<typeof apiFor>["getWebhook"]>>;

export interface FormValues {
	url: string;
	description: string;
	eventTypes: string[];
	enabled: boolean;
}

export async function formOf(c: Context<AppEnv>): Promise<FormValues> {
	const body = await c.req.parseBody({ all: true });
	const one = (k: string) => (typeof body[k] === "string" ? (body[k] as string) : "");
	const many = body.eventTypes;
	const types = (Array.isArray(many) ? many : many === undefined ? [] : [many]).filter(
		(t): t is string => typeof t === "string",
	);
	return {
		url: one("url").trim(),
		description: one("description").trim(),
		eventTypes: types,
		enabled: one("enabled") === "on",
	};
}

export const toInput = (f: FormValues) => ({
	url: f.url,
	description: f.description,
	eventTypes: f.eventTypes.filter((t): t is WebhookEventType =>
		(WEBHOOK_EVENT_TYPES as readonly string[]).includes(t),
	),
	enabled: f.enabled,
});

/** A refused call in words, with its problem's code and status. */
export interface Refusal {
	text: string;
	code: string;
	status: number;
}

/** The problem of a refused call, in words (with its code and status), or rethrown. */
export function refusal(error: unknown): Refusal {
	if (error instanceof ReceiveLinkError)
		return {
			text: wordsFor(error.code, error.problem.detail),
			code: error.code,
			status: error.status,
		};
	throw error;
}

/** A refusal in words, with its code in small print. */
export function RefusalNotice(props: { error: Refusal | undefined }) {
	return props.error ? (
		<Notice kind="bad">
			{props.error.text} <span class="small">({props.error.code})</span>
		</Notice>
	) : null;
}

export function EndpointFields(props: { values: FormValues; error?: string }) {
	const v = props.values;
	return (
		<>
			<div class="field">
				<label for="url">URL</label>
				<input
					id="url"
					name="url"
					type="url"
					required
					value={v.url}
					aria-describedby="url-hint"
					aria-invalid={props.error ? "true" : undefined}
				/>
				<span class="hint" id="url-hint">
					An https address on the public internet; events are POSTed to it, signed.
				</span>
			</div>
			<div class="field">
				<label for="description">Description (optional)</label>
				<input id="description" name="description" type="text" value={v.description} />
			</div>
			<fieldset>
				<legend>Events</legend>
				<p class="hint">None ticked: every event.</p>
				{WEBHOOK_EVENT_TYPES.map((t) => (
					<div class="field check">
						<input
							type="checkbox"
							id={`type-${t}`}
							name="eventTypes"
							value={t}
							checked={v.eventTypes.includes(t)}
						/>
						<label for={`type-${t}`}>
							<code>{t}</code>: {TYPE_WORDS[t]}
						</label>
					</div>
				))}
			</fieldset>
			<div class="field check">
				<input type="checkbox" id="enabled" name="enabled" checked={v.enabled} />
				<label for="enabled">Enabled</label>
			</div>
		</>
	);
}

/** The signing secret (kept sealed by the service; shown on request, never in a list). */
export function SecretPanel(props: { secret: string; heading: string }) {
	return (
		<section class="panel once" aria-labelledby="secret-heading">
			<h2 id="secret-heading">{props.heading}</h2>
			<p>
				Your receiver checks every event's <code>webhook-signature</code> with it. Keep it secret:
				anyone who has it can sign events your receiver would believe.
			</p>
			<div class="field">
				<label for="webhook-secret">Signing secret</label>
				<div class="copy-row">
					<input id="webhook-secret" type="text" readonly value={props.secret} spellcheck={false} />
					<button type="button" class="secondary" data-copy="webhook-secret" hidden>
						Copy
					</button>
				</div>
				<span class="hint" data-copy-status role="status" />
			</div>
		</section>
	);
}
