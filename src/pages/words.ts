/**
 * Problems in words a person understands: what happened, and what to do.
 * Pages show these instead of codes; the code stays visible in small print
 * for support (data only: `wordsFor` in problems.ts picks the sentence,
 * falling back to the problem's own detail).
 */
export const PROBLEM_WORDS: Record<string, string> = {
	unauthorized: "Your session has ended. Sign in again.",
	forbidden: "You are not allowed to do this.",
	"validation-failed": "Some of the values are not valid. Check the fields and try again.",
	"link-not-found": "This link does not exist, or the address is incomplete.",
	"link-revoked": "This link has been revoked. It no longer accepts uploads.",
	"link-deleted": "This link has been deleted.",
	"link-expired": "This link has expired. It no longer accepts uploads.",
	"link-paused": "The owner paused this link. Uploads continue when it reopens.",
	"terminal-pending": "This link is closing (a revoke or delete is being applied).",
	"link-closing": "This link is closing. Uploads wait until the owner's command is settled.",
	"epoch-mismatch": "The link changed while you were looking at it. Here are its current values.",
	"settings-mismatch":
		"Someone changed this link's settings since you opened them. Here are the current values.",
	"dead-letter-not-pending": "This dead letter was already replayed or discarded.",
	"uploader-details-required": "Enter the details this link asks for.",
	"file-not-found": "This file does not exist.",
	"download-destination-refused":
		"Received files are only downloaded, never loaded into a page. Download it from the link's page.",
	"storage-unavailable": "Storage is not answering right now. Try again in a moment.",
	"command-not-found": "This command does not exist.",
	"dead-letter-not-found": "This dead letter does not exist.",
	"owner-not-found": "This owner does not exist.",
	"quota-exceeded": "The link has no room left for this file.",
	"file-too-large": "This file is larger than the link allows.",
	"file-type-not-allowed": "This type of file is not accepted by this link.",
	"too-many-attempts": "Too many wrong passwords. Wait a few minutes and try again.",
	"password-required": "This link needs a password.",
	"password-incorrect": "The password is not right.",
	"webhook-url-duplicate":
		"You already have an endpoint with this address. Change that one instead, or use another address.",
	"webhook-event-not-subscribed":
		"This endpoint never had this event (it does not take events of this kind, or was added after it), so it cannot be sent to it again.",
	"too-many-webhook-sends":
		"You have asked for many test events and redeliveries in the last minute. Wait a minute and try again.",
	"internal-error": "Something went wrong on our side. Try again in a moment.",
};
