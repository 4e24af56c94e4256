/** @jsxImportSource hono/jsx */
/**
 * Webhooks in the dashboard (docs/webhooks.md): the owner's endpoints, a new
 * one with its signing secret shown once, an endpoint's page (edit, enable,
 * rotate the secret with a grace period, send a test event, delete behind a
 * confirmation) and its delivery log with a redeliver button per event. Every
 * action goes through the JSON API (`apiFor`), so its rules (the URL guard,
 * ownership, the limit) hold here unchanged.
 */
import { type Context, Hono } from "hono";
import type { AppEnv } from "../../app-env";
import { apiFor } from "../api-client";
import { pathId } from "../ids";
import { Badge, ConfirmOrCancel, Notice, when } from "../layout";
import { AppPage, TableWrap } from "./frame";
import {
	DONE,
	type Endpoint,
	EndpointFields,
	type FormValues,
	formOf,
	type Refusal,
	RefusalNotice,
	refusal,
	SecretPanel,
	toInput,
} from "./webhook-form";

function ListPage(props: {
	items: Endpoint[];
	values: FormValues;
	error?: Refusal;
	done?: string | undefined;
}) {
	return (
		<AppPage title="Webhooks">
			<h1>Webhooks</h1>
			<p>
				Your endpoints are told, signed (Standard Webhooks), when files arrive and links change. See{" "}
				<a href="/docs">the API reference</a> for the payloads.
			</p>
			{props.done && DONE[props.done] ? <Notice kind="ok">{DONE[props.done]}</Notice> : null}
			{props.items.length === 0 ? (
				<p class="muted">No endpoints yet.</p>
			) : (
				<TableWrap label="Your endpoints">
					<table>
						<thead>
							<tr>
								<th>URL</th>
								<th>Events</th>
								<th>State</th>
								<th class="num">Failures</th>
							</tr>
						</thead>
						<tbody>
							{props.items.map((e) => (
								<tr>
									<td class="name">
										<a href={`/app/webhooks/${e.id}`}>{e.url}</a>
										{e.description ? <div class="small muted">{e.description}</div> : null}
									</td>
									<td>{e.eventTypes.length ? e.eventTypes.join(", ") : "every event"}</td>
									<td>
										{e.enabled ? (
											<Badge value="active" label="enabled" />
										) : (
											<Badge value="paused" label="disabled" />
										)}
										{e.disabledReason ? <div class="small">{e.disabledReason}</div> : null}
									</td>
									<td class="num">{e.failures}</td>
								</tr>
							))}
						</tbody>
					</table>
				</TableWrap>
			)}
			<h2 id="new">Add an endpoint</h2>
			<RefusalNotice error={props.error} />
			<form class="stack" method="post" action="/app/webhooks">
				<EndpointFields values={props.values} error={props.error?.text} />
				<div>
					<button type="submit">Add the endpoint</button>
				</div>
			</form>
		</AppPage>
	);
}

const EMPTY: FormValues = { url: "", description: "", eventTypes: [], enabled: true };

async function endpointPage(
	c: Context<AppEnv>,
	id: string,
	extra?: {
		/** The edit form's refusal, shown above it. */
		error?: Refusal;
		values?: FormValues;
		/** A refused action (test event, redelivery), shown at the top. */
		actionError?: Refusal;
	},
) {
	const api = apiFor(c);
	const endpoint = await api.getWebhook(id);
	// After a create or a rotation, or when asked: the secret, opened from its sealed copy.
	const done = c.req.query("done");
	const reveal = done === "created" || done === "rotated" || c.req.query("reveal") === "1";
	const secret = reveal ? await api.getWebhookSecret(id) : null;
	const log = await api.listDeliveries(id, { limit: 25 });
	const values = extra?.values ?? {
		url: endpoint.url,
		description: endpoint.description,
		eventTypes: endpoint.eventTypes,
		enabled: endpoint.enabled,
	};
	return c.html(
		<AppPage title={`Webhook ${endpoint.url}`}>
			<p class="small">
				<a href="/app/webhooks">← Webhooks</a>
			</p>
			<h1>Webhook endpoint</h1>
			<p class="mono">{endpoint.url}</p>
			{done && DONE[done] ? <Notice kind="ok">{DONE[done]}</Notice> : null}
			<RefusalNotice error={extra?.actionError} />
			{secret ? (
				<SecretPanel
					secret={secret}
					heading={done === "rotated" ? "The new signing secret" : "Signing secret"}
				/>
			) : (
				<p>
					<a href={`/app/webhooks/${id}?reveal=1`}>Show the signing secret</a>
				</p>
			)}
			{!endpoint.enabled && endpoint.disabledReason ? (
				<Notice kind="warn">
					The service disabled this endpoint: {endpoint.disabledReason}. Fix the receiver, then tick
					Enabled and save.
				</Notice>
			) : null}
			<dl class="kv">
				<dt>State</dt>
				<dd>{endpoint.enabled ? "enabled" : "disabled"}</dd>
				<dt>Consecutive failures</dt>
				<dd>{endpoint.failures}</dd>
				<dt>Previous secret signs until</dt>
				<dd>
					{endpoint.secretRotatingUntil
						? when(endpoint.secretRotatingUntil)
						: "no rotation under way"}
				</dd>
				<dt>Created</dt>
				<dd>{when(endpoint.createdAt)}</dd>
			</dl>
			<section aria-labelledby="actions-heading">
				<h2 id="actions-heading">Actions</h2>
				<div class="actions">
					<form method="post" action={`/app/webhooks/${id}/test`}>
						<button type="submit" class="secondary">
							Send a test event
						</button>
					</form>
					<form method="post" action={`/app/webhooks/${id}/rotate`}>
						<button type="submit" class="secondary">
							Rotate the secret
						</button>
					</form>
					<a class="button danger" href={`/app/webhooks/${id}/delete`}>
						Delete…
					</a>
				</div>
				<p class="small muted">
					After a rotation the old secret also signs for one day, so receivers can switch over.
				</p>
			</section>
			<h2 id="edit">Edit</h2>
			<RefusalNotice error={extra?.error} />
			<form class="stack" method="post" action={`/app/webhooks/${id}`}>
				<EndpointFields values={values} error={extra?.error?.text} />
				<div>
					<button type="submit">Save</button>
				</div>
			</form>
			<h2 id="log">Delivery log</h2>
			{log.items.length === 0 ? (
				<p class="muted">Nothing delivered yet.</p>
			) : (
				<TableWrap label="Delivery log">
					<table>
						<thead>
							<tr>
								<th>When</th>
								<th>Event</th>
								<th>Attempt</th>
								<th>Outcome</th>
								<th class="num">Status</th>
								<th class="num">ms</th>
								<th>Answer</th>
								<th>Again</th>
							</tr>
						</thead>
						<tbody>
							{log.items.map((a) => (
								<tr>
									<td>{when(a.createdAt)}</td>
									<td>
										<code>{a.eventType ?? "?"}</code>
										<div class="small mono">{a.eventId}</div>
									</td>
									<td class="num">{a.attempt}</td>
									<td>
										<Badge
											value={a.outcome === "delivered" ? "succeeded" : "failed"}
											label={a.outcome}
										/>
									</td>
									<td class="num">{a.status ?? "—"}</td>
									<td class="num">{a.latencyMs ?? "—"}</td>
									<td class="small mono">{a.responseExcerpt ?? ""}</td>
									<td>
										<form
											method="post"
											action={`/app/webhooks/${id}/deliveries/${a.eventId}/redeliver`}
										>
											<button type="submit" class="link">
												Redeliver<span class="visually-hidden"> {a.eventId}</span>
											</button>
										</form>
									</td>
								</tr>
							))}
						</tbody>
					</table>
				</TableWrap>
			)}
		</AppPage>,
	);
}

export const webhookRoutes = new Hono<AppEnv>()
	.get("/", async (c) => {
		const { items } = await apiFor(c).listWebhooks({ limit: 50 });
		return c.html(<ListPage items={items} values={EMPTY} done={c.req.query("done")} />);
	})
	.post("/", async (c) => {
		const values = await formOf(c);
		const api = apiFor(c);
		try {
			// Post/redirect/get: a reload never adds a second endpoint (the page shows the secret).
			const created = await api.createWebhook(toInput(values));
			return c.redirect(`/app/webhooks/${created.endpoint.id}?done=created`, 303);
		} catch (error) {
			const refused = refusal(error);
			const { items } = await api.listWebhooks({ limit: 50 });
			c.status(refused.status as 400);
			return c.html(<ListPage items={items} values={values} error={refused} />);
		}
	})
	.get("/:id", (c) => endpointPage(c, pathId(c, "id", "webhook")))
	.post("/:id", async (c) => {
		const id = pathId(c, "id", "webhook");
		const values = await formOf(c);
		try {
			await apiFor(c).updateWebhook(id, toInput(values));
		} catch (error) {
			const refused = refusal(error);
			c.status(refused.status as 400);
			return endpointPage(c, id, { error: refused, values });
		}
		return c.redirect(`/app/webhooks/${id}?done=saved`, 303);
	})
	.post("/:id/test", async (c) => {
		const id = pathId(c, "id", "webhook");
		try {
			await apiFor(c).sendTestWebhook(id);
		} catch (error) {
			return refusedAction(c, id, error);
		}
		return c.redirect(`/app/webhooks/${id}?done=test-sent`, 303);
	})
	.post("/:id/rotate", async (c) => {
		const id = pathId(c, "id", "webhook");
		await apiFor(c).rotateWebhookSecret(id, { graceSeconds: 86_400 });
		return c.redirect(`/app/webhooks/${id}?done=rotated`, 303);
	})
	.get("/:id/delete", async (c) => {
		const id = pathId(c, "id", "webhook");
		const endpoint = await apiFor(c).getWebhook(id);
		return c.html(
			<AppPage title="Delete the endpoint?">
				<h1>Delete this endpoint?</h1>
				<p class="mono">{endpoint.url}</p>
				<p>
					Nothing more will be sent to it. Its delivery log goes with it. This cannot be undone.
				</p>
				<ConfirmOrCancel action={`/app/webhooks/${id}/delete`} cancel={`/app/webhooks/${id}`}>
					Delete the endpoint
				</ConfirmOrCancel>
			</AppPage>,
		);
	})
	.post("/:id/delete", async (c) => {
		await apiFor(c).deleteWebhook(pathId(c, "id", "webhook"));
		return c.redirect("/app/webhooks?done=deleted", 303);
	})
	.post("/:id/deliveries/:eventId/redeliver", async (c) => {
		const id = pathId(c, "id", "webhook");
		let merged: boolean;
		try {
			({ merged } = await apiFor(c).redeliver(id, pathId(c, "eventId", "event")));
		} catch (error) {
			return refusedAction(c, id, error);
		}
		const done = merged ? "redelivery-pending" : "redelivered";
		return c.redirect(`/app/webhooks/${id}?done=${done}#log`, 303);
	});

/**
 * The endpoint's page with a refused action in words, under the problem's
 * status; a missing endpoint (or anything but a problem) goes to the error page.
 */
function refusedAction(c: Context<AppEnv>, id: string, error: unknown) {
	const refused = refusal(error);
	if (refused.code === "webhook-not-found") throw error;
	c.status(refused.status as 400);
	return endpointPage(c, id, { actionError: refused });
}
