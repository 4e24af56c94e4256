// On a password-protected link every upload's creation carries the password,
// and every wrong one counts as a guess against the link (after five, guesses
// must wait). Until one creation has been accepted, creations go one at a
// time; after a refusal the others wait for the person to enter the password
// again instead of spending more guesses on the same wrong one.

const SAFETY_MS = 30_000;

export type GateOutcome = "accepted" | "refused" | "unknown";

export class PasswordGate {
	private state: "unknown" | "confirmed" | "refused" = "unknown";
	private probe: { request: unknown; done: Promise<void>; end: () => void } | null = null;
	private changed!: Promise<void>;
	private signalChange!: () => void;

	constructor(private readonly required: boolean) {
		this.armChange();
	}

	/** Awaited before each creation request; `request` identifies it in `settle`. */
	async enter(request: unknown): Promise<void> {
		if (!this.required) return;
		for (;;) {
			if (this.state === "confirmed") return;
			if (this.state === "refused") {
				await this.changed;
				continue;
			}
			if (this.probe) {
				// A probe that never answers (aborted by a pause) must not hold the others forever.
				await Promise.race([this.probe.done, new Promise((r) => setTimeout(r, SAFETY_MS))]);
				if (this.probe && this.state === "unknown") this.finish();
				continue;
			}
			let end = () => {};
			const done = new Promise<void>((r) => {
				end = r;
			});
			this.probe = { request, done, end };
			return;
		}
	}

	/**
	 * The answer to a creation (or its failure without an answer). The server
	 * checks the password before the uploader details, the file and the quota,
	 * so their refusals also mean "accepted" (see `outcomeOf`).
	 */
	settle(request: unknown, outcome: GateOutcome): void {
		if (!this.required) return;
		if (outcome === "accepted") this.state = "confirmed";
		else if (outcome === "refused") this.state = "refused";
		if (this.probe?.request === request) this.finish();
	}

	/** The person entered the password again: held creations go on (one at a time) with it. */
	passwordChanged(): void {
		if (this.state === "refused") this.state = "unknown";
		const signal = this.signalChange;
		this.armChange();
		signal();
	}

	private finish(): void {
		const probe = this.probe;
		this.probe = null;
		probe?.end();
	}

	private armChange(): void {
		this.changed = new Promise<void>((r) => {
			this.signalChange = r;
		});
	}
}

/** What a creation's answer says about the password. */
export function outcomeOf(status: number, code: string | undefined): GateOutcome {
	if (status >= 200 && status < 300) return "accepted";
	if (code === "password-incorrect" || code === "password-required" || code === "too-many-attempts")
		return "refused";
	if (
		code === "uploader-details-required" ||
		code === "file-too-large" ||
		code === "file-type-not-allowed" ||
		code === "quota-exceeded"
	)
		return "accepted";
	return "unknown";
}
