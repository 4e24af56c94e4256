// What the uploader page says to the person sending files, as data: every
// refusal in words (never a bare code), the waiting and closed pages.
// sentences.ts puts them together with the link's limits and sizes; sizes
// themselves are the shared vocabulary's (src/client/vocabulary.ts).

export const DOES_NOT_WORK =
	"Check that you copied the whole link, including everything after the # sign, or ask the person who sent it to you for a new one.";

export const WAITING: Record<"paused" | "closing", string> = {
	paused: "The owner paused this link. Your uploads will continue when it reopens.",
	closing:
		"The owner is changing this link. Your uploads are on hold and will continue if it stays open.",
};

export const CLOSED_TITLE = "This link is closed";

/** The closed page's text per terminal state (an expiry's date goes before `expired`). */
export const CLOSED_TEXT: Record<"revoked" | "expired" | "deleted", string> = {
	revoked:
		"The owner revoked this link. It takes no more files; files you sent before are safe with the owner.",
	expired: "It takes no more files; files you sent before are safe with the owner.",
	deleted:
		"The owner deleted this link, and with it the files sent through it. It takes no more files.",
};

/** Refusals of one file (at creation or while sending) that need no detail of the link. */
export const FILE_PROBLEMS: Record<string, string> = {
	"quota-exceeded": "The link has no room left for this file.",
	"password-required": "This link needs the password.",
	"password-incorrect": "The password is not right.",
	"too-many-attempts": "Too many wrong passwords were tried: wait, then try again.",
	"uploader-details-required": "This link needs your details before it takes files.",
	"validation-failed":
		"The file's name or your details were not accepted. Check your e-mail address and try again.",
	"upload-aborted":
		"This upload was stopped (the owner cancelled it, or it waited too long). Add the file again to send it.",
	"upload-not-found": "The link no longer knows this upload. Add the file again to send it.",
	"link-revoked": "The link closed before this file arrived.",
	"link-expired": "The link closed before this file arrived.",
	"link-deleted": "The link closed before this file arrived.",
	"storage-unavailable": "The service had a problem. Press retry to try again.",
	"internal-error": "The service had a problem. Press retry to try again.",
};

/** A refusal without a code of its own: no answer, a server error, anything else. */
export const FILE_FAILED = {
	connection: "The connection was lost. Press retry to try again.",
	server: "The service had a problem. Press retry to try again.",
	other: "The file was not accepted. Press retry to try again.",
};

/** Why a finalize command did not deliver the file, by its `result` code. */
export const FINALIZE_PROBLEMS: Record<string, string> = {
	"checksum-mismatch": "The file arrived damaged (its checksum did not match). Send it again.",
	"length-mismatch": "The file arrived with the wrong size. Send it again.",
	"file-not-found": "The file's bytes were lost before it could be checked. Send it again.",
	"file-type-not-allowed": "This link does not take this kind of file.",
	"file-too-large": "This file is larger than the link takes.",
	"quota-exceeded": "The link had no room left for this file.",
	"upload-aborted": "The upload was cancelled before it was checked.",
	"link-revoked": "The link closed before this file was checked.",
	"link-expired": "The link closed before this file was checked.",
	"link-deleted": "The owner deleted the link.",
};

export const FINALIZE_FAILED = "The file could not be delivered. Send it again.";
