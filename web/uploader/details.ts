// The "Your details" form: the password, name and e-mail a link asks for,
// filled in before files can be added. They travel with each new upload as
// tus Upload-Metadata (`password`, `name`, `email`), never stored by the page.
// The server judges the password at the first upload; its answer (wrong,
// too many attempts, details missing) is shown next to the field concerned.
import type { PublicLinkInfo } from "./api.ts";
import { h, uid } from "./dom.ts";

export interface Details {
	name: string;
	email: string;
	password: string;
}

type Field = keyof Details;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export class DetailsForm {
	readonly element: HTMLFormElement;
	private readonly inputs = new Map<Field, HTMLInputElement>();
	private readonly errors = new Map<Field, HTMLElement>();
	private readonly saved: HTMLElement;
	private submitted = false;

	constructor(
		private readonly link: PublicLinkInfo,
		private readonly onSubmit: (details: Details) => void,
	) {
		const fields: [Field, string, string, string][] = [];
		if (link.requireUploaderName) fields.push(["name", "Your name", "text", "name"]);
		if (link.requireUploaderEmail) fields.push(["email", "Your e-mail address", "email", "email"]);
		if (link.passwordRequired) fields.push(["password", "Password", "password", "off"]);
		const headingId = uid("details-h");
		this.saved = h("p", { class: "saved", role: "status" });
		this.element = h(
			"form",
			{ class: "details", novalidate: true, "aria-labelledby": headingId },
			h("h2", { id: headingId }, "Before you send"),
			h(
				"p",
				{ class: "muted" },
				link.passwordRequired
					? "This link is protected. Enter the password you were given."
					: "The owner asks who is sending.",
			),
			...fields.map(([field, label, type, autocomplete]) =>
				this.field(field, label, type, autocomplete),
			),
			h("button", { type: "submit", class: "button" }, "Continue"),
			this.saved,
		);
		this.element.addEventListener("submit", (e) => {
			e.preventDefault();
			this.submit();
		});
	}

	/** True when the link asks for nothing (no form needed). */
	get empty(): boolean {
		return this.inputs.size === 0;
	}

	/** True once the person submitted valid details. */
	get ready(): boolean {
		return this.empty || this.submitted;
	}

	values(): Details {
		return {
			name: this.inputs.get("name")?.value.trim() ?? "",
			email: this.inputs.get("email")?.value.trim() ?? "",
			password: this.inputs.get("password")?.value ?? "",
		};
	}

	/** Shows `message` next to `field` (or the first field when the server did not say which), and focuses it. */
	showError(field: Field | "details", message: string): void {
		const target: Field | undefined =
			field === "details"
				? (["name", "email"] as Field[]).find((f) => this.inputs.has(f))
				: this.inputs.has(field)
					? field
					: undefined;
		if (!target) return;
		this.setError(target, message);
		this.saved.textContent = "";
		this.submitted = false;
		this.inputs.get(target)?.focus();
	}

	private field(field: Field, label: string, type: string, autocomplete: string): HTMLElement {
		const id = uid(`details-${field}`);
		const errorId = `${id}-error`;
		const input = h("input", {
			id,
			name: field,
			type,
			required: true,
			autocomplete,
			"aria-describedby": errorId,
			maxlength: field === "email" ? 320 : field === "name" ? 200 : 256,
		});
		const error = h("p", { id: errorId, class: "field-error", "aria-live": "polite" });
		this.inputs.set(field, input);
		this.errors.set(field, error);
		return h("p", { class: "field" }, h("label", { for: id }, label), input, error);
	}

	private setError(field: Field, message: string): void {
		const input = this.inputs.get(field);
		const error = this.errors.get(field);
		if (!input || !error) return;
		error.textContent = message;
		if (message) input.setAttribute("aria-invalid", "true");
		else input.removeAttribute("aria-invalid");
	}

	private submit(): void {
		const v = this.values();
		const problems: [Field, string][] = [];
		if (this.inputs.has("name") && !v.name) problems.push(["name", "Enter your name."]);
		if (this.inputs.has("email") && !EMAIL.test(v.email))
			problems.push(["email", "Enter an e-mail address such as name@example.com."]);
		if (this.inputs.has("password") && !v.password)
			problems.push(["password", "Enter the password."]);
		for (const f of this.inputs.keys()) this.setError(f, "");
		for (const [f, m] of problems) this.setError(f, m);
		if (problems.length) {
			this.inputs.get(problems[0]?.[0] ?? "name")?.focus();
			return;
		}
		this.submitted = true;
		this.saved.textContent = this.link.passwordRequired
			? "Thank you. Add your files below; the password is checked with the first one."
			: "Thank you. Add your files below.";
		this.onSubmit(v);
	}
}
