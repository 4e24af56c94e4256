/**
 * Every queue of the Worker, one module each (docs/architecture.md "Folder
 * rules"): its names, its message schema and its sends. The consumer
 * dispatches by these names (src/consumer/index.ts), the dead-letter routes
 * and pages tell a queue's messages apart by them; nobody matches a queue by
 * a piece of its name.
 */
import * as LinkCommands from "./link-commands";
import * as WebhookDeliveries from "./webhook-deliveries";

/** The queue families: a queue and its dead-letter queue. */
export const QUEUES = {
	[LinkCommands.QUEUE]: LinkCommands,
	[WebhookDeliveries.QUEUE]: WebhookDeliveries,
} as const;

export type QueueFamily = keyof typeof QUEUES;

/** Every queue a consumer reads: each family's queue and its DLQ. */
export type QueueName = (typeof QUEUES)[QueueFamily]["QUEUE" | "DLQ"];

const FAMILY_OF = new Map<string, QueueFamily>(
	Object.values(QUEUES).flatMap((q) => [
		[q.QUEUE, q.QUEUE],
		[q.DLQ, q.QUEUE],
	]),
);

/** The family `queue` belongs to (itself or its DLQ), or null for a name no module declares. */
export function familyOf(queue: string): QueueFamily | null {
	return FAMILY_OF.get(queue) ?? null;
}
