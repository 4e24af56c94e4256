/**
 * A small reference model of one link for the model-based property test:
 * it predicts the answer (status and problem code) of every operation, and
 * how queued commands change the link when they drain. It is written from
 * docs/design.md (#lifecycle-and-epoch, #terminal-states, #upload-rules) and
 * docs/lifecycle.md, independently of src/domain.
 */

export type State = "active" | "paused" | "revoked" | "deleted";
export type UState = "none" | "open" | "completed" | "finalized" | "aborted" | "rejected";

export interface MUpload {
	size: number;
	state: UState;
	admittedEpoch: number | null;
	completedEpoch: number | null;
	/** A single PUT was admitted and not recorded yet (the lease). */
	leased: boolean;
	/** The admitted write reached R2 (the object exists until removed). */
	wrote: boolean;
	finalizeCommand: number | null;
}

export interface MCommand {
	seq: number;
	kind: "revoke" | "delete" | "finalize";
	upload: number | null;
	status: "accepted" | "succeeded" | "rejected";
	result: string | null;
	appliedEpoch: number | null;
}

export interface Answer {
	status: number;
	code?: string;
}

const TERMINAL: Record<string, string> = { revoked: "link-revoked", deleted: "link-deleted" };

export class LinkModel {
	state: State = "active";
	epoch = 1;
	terminalEpoch: number | null = null;
	commands: MCommand[] = [];
	/** Objects in R2, by upload index. */
	objects = new Set<number>();
	readonly uploads: MUpload[];

	constructor(
		sizes: number[],
		readonly maxFiles: number | null,
		readonly policy: "recover" | "reject",
	) {
		this.uploads = sizes.map((size) => ({
			size,
			state: "none",
			admittedEpoch: null,
			completedEpoch: null,
			leased: false,
			wrote: false,
			finalizeCommand: null,
		}));
	}

	get terminal(): boolean {
		return this.state === "revoked" || this.state === "deleted";
	}

	/** A revoke or delete accepted but not applied: the closing fence. */
	get closing(): boolean {
		return (
			!this.terminal && this.commands.some((c) => c.kind !== "finalize" && c.status === "accepted")
		);
	}

	private gone(): Answer {
		return { status: 410, code: TERMINAL[this.state] };
	}

	/** pause/resume/settings (synchronous owner calls). */
	ownerSync(op: "pause" | "resume" | "patch"): Answer {
		if (this.terminal) return this.gone();
		if (this.closing) return { status: 409, code: "terminal-pending" };
		const target = op === "pause" ? "paused" : op === "resume" ? "active" : this.state;
		if (target !== this.state) {
			this.state = target;
			this.epoch++;
		}
		return { status: 200 };
	}

	/** revoke/delete: 202 with the seq of the (new or same) command. */
	issue(kind: "revoke" | "delete"): Answer & { seq?: number } {
		if (this.state === "deleted") return this.gone();
		if (kind === "revoke" && this.terminal) return this.gone();
		const pending = this.commands.filter((c) => c.kind !== "finalize" && c.status === "accepted");
		if (kind === "revoke" && this.closing) return { status: 202, seq: pending[0]?.seq as number };
		const same = pending.find((c) => c.kind === kind);
		if (same) return { status: 202, seq: same.seq };
		return { status: 202, seq: this.accept(kind, null).seq };
	}

	private accept(kind: MCommand["kind"], upload: number | null): MCommand {
		const c: MCommand = {
			seq: this.commands.length + 1,
			kind,
			upload,
			status: "accepted",
			result: null,
			appliedEpoch: null,
		};
		this.commands.push(c);
		return c;
	}

	/** The ingest row of the table (init, single PUT). */
	private ingest(): Answer | null {
		if (this.terminal) return this.gone();
		if (this.closing) return { status: 423, code: "link-closing" };
		if (this.state === "paused") return { status: 423, code: "link-paused" };
		return null;
	}

	private holding(): number {
		return this.uploads.filter(
			(u) => u.state === "open" || u.state === "completed" || u.state === "finalized",
		).length;
	}

	init(i: number): Answer {
		const refused = this.ingest();
		if (refused) return refused;
		if (this.maxFiles !== null && this.holding() + 1 > this.maxFiles)
			return { status: 409, code: "quota-exceeded" };
		const u = this.uploads[i] as MUpload;
		u.state = "open";
		u.admittedEpoch = this.epoch;
		return { status: 201 };
	}

	admit(i: number): Answer {
		const u = this.uploads[i] as MUpload;
		const refused = this.ingest();
		if (refused) return refused;
		if (u.state === "aborted" || u.state === "rejected")
			return { status: 410, code: "upload-aborted" };
		if (u.state !== "open" || u.leased) return { status: 409, code: "upload-state-conflict" };
		u.leased = true;
		return { status: 200 };
	}

	/**
	 * The one-request upload's admit: an init and its single write's admit in
	 * one step (the init's answer, the write's lease).
	 */
	admitSmall(i: number): Answer {
		const a = this.init(i);
		if (a.status !== 201) return a;
		(this.uploads[i] as MUpload).leased = true;
		return { status: 200 };
	}

	/** The one-request upload's record: the write's record, then its finalize (202). */
	recordSmall(i: number): Answer & { seq?: number } {
		const a = this.record(i);
		return a.status === 200 ? this.finalize(i) : a;
	}

	write(i: number): void {
		const u = this.uploads[i] as MUpload;
		u.wrote = true;
		this.objects.add(i);
	}

	/** The record check after the write. */
	record(i: number): Answer {
		const u = this.uploads[i] as MUpload;
		u.leased = false;
		u.wrote = false;
		const accepted = u.state === "completed" || u.state === "finalized";
		if (this.terminal || u.state === "aborted" || u.state === "rejected") {
			if (!accepted) {
				this.objects.delete(i);
				if (u.state === "open") this.drop(i, "aborted");
			}
			return this.terminal ? this.gone() : { status: 410, code: "upload-aborted" };
		}
		if (u.state !== "open") return { status: 409, code: "upload-state-conflict" };
		u.state = "completed";
		u.completedEpoch = this.epoch;
		return { status: 200 };
	}

	abort(i: number): Answer {
		const u = this.uploads[i] as MUpload;
		if (this.terminal) return this.gone();
		if (u.state === "aborted" || u.state === "rejected") return { status: 204 };
		if (u.state === "finalized") return { status: 409, code: "upload-state-conflict" };
		this.drop(i, "aborted");
		return { status: 204 };
	}

	status(_i: number): Answer {
		if (this.state === "deleted") return this.gone();
		return { status: 200 };
	}

	finalize(i: number): Answer & { seq?: number } {
		const u = this.uploads[i] as MUpload;
		if (this.state === "deleted") return this.gone();
		if (u.finalizeCommand !== null) return { status: 202, seq: u.finalizeCommand };
		if (u.state === "open")
			return this.terminal ? this.gone() : { status: 409, code: "upload-incomplete" };
		const outcome = this.finalizeOutcome(u);
		if (outcome !== "finalize" && outcome !== "done") return { status: 410, code: outcome };
		const c = this.accept("finalize", i);
		u.finalizeCommand = c.seq;
		return { status: 202, seq: c.seq };
	}

	private finalizeOutcome(u: MUpload): "finalize" | "done" | string {
		if (this.state === "deleted") return "link-deleted";
		if (u.state === "finalized") return "done";
		if (u.state !== "completed")
			return this.terminal ? (TERMINAL[this.state] as string) : "upload-aborted";
		if (!this.terminal) return "finalize";
		const pending =
			u.completedEpoch !== null &&
			this.terminalEpoch !== null &&
			u.completedEpoch < this.terminalEpoch;
		return pending && this.policy === "recover" ? "finalize" : (TERMINAL[this.state] as string);
	}

	private drop(i: number, state: "aborted" | "rejected"): void {
		const u = this.uploads[i] as MUpload;
		if (u.state === "open" || u.state === "completed") u.state = state;
		this.objects.delete(i);
	}

	/** Applies every accepted command in seq order, as a drain does. */
	drain(): void {
		for (const c of this.commands) {
			if (c.status !== "accepted") continue;
			if (c.kind === "finalize") {
				const u = this.uploads[c.upload as number] as MUpload;
				const outcome = this.finalizeOutcome(u);
				c.appliedEpoch = this.epoch;
				if (outcome === "finalize" || outcome === "done") {
					u.state = "finalized";
					c.status = "succeeded";
					c.result = "finalized";
				} else {
					if (u.state === "completed") this.drop(c.upload as number, "rejected");
					c.status = "rejected";
					c.result = outcome;
				}
				continue;
			}
			if (this.state === "deleted" || (c.kind === "revoke" && this.terminal)) {
				c.status = "rejected";
				c.result = TERMINAL[this.state] as string;
				continue;
			}
			this.epoch++;
			this.state = c.kind === "revoke" ? "revoked" : "deleted";
			this.terminalEpoch ??= this.epoch;
			c.appliedEpoch = this.epoch;
			this.uploads.forEach((u, i) => {
				if (u.state === "open") this.drop(i, "aborted");
				else if (u.state === "completed") {
					if (c.kind === "delete" || this.policy === "reject") this.drop(i, "rejected");
					else u.state = "finalized";
				}
			});
			if (c.kind === "delete") this.objects.clear();
			c.status = "succeeded";
			c.result = c.kind === "revoke" ? "revoked" : "deleted";
		}
	}
}
