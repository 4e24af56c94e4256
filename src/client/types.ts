/**
 * The wire shapes the clients speak: the contract's types (src/contract),
 * named here once for `src/client`. Type-only, so nothing of the Worker is
 * bundled with the client.
 */
export type {
	AuditReport,
	CommandAccepted,
	CommandList,
	CommandView,
	CreatedLink,
	CreatedOwner,
	DeadLetterDetail,
	DeadLetterList,
	DeadLetterStatus,
	DeadLetterView,
	FileList,
	FileView,
	LinkList,
	LinkSettingsView as LinkSettings,
	LinkSummary,
	LinkView,
	ProblemBody as WireProblem,
	PublicLinkView,
	SettingsInput,
	UploadList,
	UploadView,
} from "../contract/index.ts";
