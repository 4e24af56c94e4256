/** @jsxImportSource hono/jsx */
/**
 * The fields of a link's settings, shared by the new-link form and the
 * settings edit: every input labelled, a hint under each, and the error of a
 * refused value next to its field (`aria-invalid`, `aria-describedby`).
 */
import type { Child } from "hono/jsx";
import { ErrorText } from "../layout";
import type { FieldErrors, FieldName, PasswordAction, SettingsValues } from "./settings-input";

interface FieldProps {
	name: FieldName;
	label: string;
	hint?: Child;
	errors: FieldErrors;
	children: (a11y: Record<string, string | undefined>) => Child;
}

function Field(props: FieldProps) {
	const error = props.errors[props.name];
	const hintId = props.hint ? `${props.name}-hint` : undefined;
	const errorId = error ? `${props.name}-error` : undefined;
	const describedBy = [errorId, hintId].filter(Boolean).join(" ") || undefined;
	return (
		<div class="field">
			<label for={props.name}>{props.label}</label>
			<ErrorText id={errorId} error={error} />
			{props.children({
				id: props.name,
				name: props.name,
				"aria-describedby": describedBy,
				"aria-invalid": error ? "true" : undefined,
			})}
			{props.hint ? (
				<span class="hint" id={hintId}>
					{props.hint}
				</span>
			) : null}
		</div>
	);
}

function Check(props: { name: FieldName; label: string; checked: boolean }) {
	return (
		<div class="field check">
			<input type="checkbox" id={props.name} name={props.name} checked={props.checked} />
			<label for={props.name}>{props.label}</label>
		</div>
	);
}

export interface SettingsFieldsProps {
	values: SettingsValues;
	errors: FieldErrors;
	mode: "create" | "edit";
	/** Edit: whether the link has a password now. */
	passwordRequired?: boolean;
	passwordAction?: PasswordAction;
}

export function SettingsFields(props: SettingsFieldsProps) {
	const { values: v, errors } = props;
	return (
		<>
			<fieldset>
				<legend>About the link</legend>
				<Field name="title" label="Title" errors={errors} hint="Uploaders see it on the page.">
					{(a) => <input type="text" {...a} value={v.title} required maxlength={200} />}
				</Field>
				<Field
					name="description"
					label="Description"
					errors={errors}
					hint="Optional: what to send, and why."
				>
					{(a) => (
						<textarea {...a} rows={3} maxlength={2000}>
							{v.description}
						</textarea>
					)}
				</Field>
			</fieldset>
			<fieldset>
				<legend>Limits</legend>
				<Field
					name="maxFileMiB"
					label="Largest file (MiB)"
					errors={errors}
					hint="1 MiB is 1,048,576 bytes; 1024 MiB is 1 GiB. Decimals are fine: 0.5."
				>
					{(a) => <input type="text" inputmode="decimal" {...a} value={v.maxFileMiB} />}
				</Field>
				<Field
					name="maxFiles"
					label="Number of files"
					errors={errors}
					hint="Leave empty for no limit."
				>
					{(a) => <input type="text" inputmode="numeric" {...a} value={v.maxFiles} />}
				</Field>
				<Field
					name="maxTotalMiB"
					label="All files together (MiB)"
					errors={errors}
					hint="Leave empty for no limit."
				>
					{(a) => <input type="text" inputmode="decimal" {...a} value={v.maxTotalMiB} />}
				</Field>
			</fieldset>
			<fieldset>
				<legend>File types</legend>
				<p class="hint small muted">
					Leave both empty to accept any file. When both are set, a file must match both.
				</p>
				<Field
					name="allowedExtensions"
					label="Allowed extensions"
					errors={errors}
					hint="Separated by commas, such as: pdf, png, jpg"
				>
					{(a) => (
						<input
							type="text"
							{...a}
							value={v.allowedExtensions}
							autocomplete="off"
							spellcheck={false}
						/>
					)}
				</Field>
				<Field
					name="allowedMimeTypes"
					label="Allowed MIME types"
					errors={errors}
					hint="Separated by commas, such as: application/pdf, image/*"
				>
					{(a) => (
						<input
							type="text"
							{...a}
							value={v.allowedMimeTypes}
							autocomplete="off"
							spellcheck={false}
						/>
					)}
				</Field>
			</fieldset>
			<fieldset>
				<legend>Expiry</legend>
				<Field
					name="expiresAt"
					label="Expires at (UTC)"
					errors={errors}
					hint="Leave empty for a link that never expires. Once expired, it accepts no more uploads."
				>
					{(a) => <input type="datetime-local" {...a} value={v.expiresAt} />}
				</Field>
			</fieldset>
			<fieldset>
				<legend>Uploaders</legend>
				<Check
					name="requireUploaderName"
					label="Ask for the uploader's name"
					checked={v.requireUploaderName}
				/>
				<Check
					name="requireUploaderEmail"
					label="Ask for the uploader's e-mail address"
					checked={v.requireUploaderEmail}
				/>
				{props.mode === "create" ? (
					<Field
						name="password"
						label="Password (optional)"
						errors={errors}
						hint="At least 8 characters. Uploaders must enter it before sending files."
					>
						{(a) => <input type="password" {...a} autocomplete="new-password" />}
					</Field>
				) : (
					<PasswordChoice {...props} />
				)}
			</fieldset>
			<fieldset>
				<legend>Files still arriving when the link closes</legend>
				<div class="field check">
					<input
						type="radio"
						id="lateFinalize-recover"
						name="lateFinalize"
						value="recover"
						checked={v.lateFinalize !== "reject"}
					/>
					<label for="lateFinalize-recover">
						Keep every file that finished uploading in time (recommended)
					</label>
				</div>
				<div class="field check">
					<input
						type="radio"
						id="lateFinalize-reject"
						name="lateFinalize"
						value="reject"
						checked={v.lateFinalize === "reject"}
					/>
					<label for="lateFinalize-reject">Discard files the uploader had not confirmed yet</label>
				</div>
			</fieldset>
		</>
	);
}

/** Edit: keep, set (or change), or remove the password; the current one is never shown. */
function PasswordChoice(props: SettingsFieldsProps) {
	const has = props.passwordRequired === true;
	const action = props.passwordAction ?? "keep";
	const radio = (value: PasswordAction, label: string) => (
		<div class="field check">
			<input
				type="radio"
				id={`passwordAction-${value}`}
				name="passwordAction"
				value={value}
				checked={action === value}
			/>
			<label for={`passwordAction-${value}`}>{label}</label>
		</div>
	);
	return (
		<fieldset>
			<legend>Password</legend>
			<p class="small muted">
				{has ? "This link asks uploaders for a password." : "This link has no password."}
			</p>
			{radio("keep", has ? "Keep the current password" : "No password")}
			{radio("set", has ? "Change the password" : "Set a password")}
			{has ? radio("remove", "Remove the password") : null}
			<Field
				name="password"
				label="New password"
				errors={props.errors}
				hint="At least 8 characters; used only with “Set” or “Change”."
			>
				{(a) => <input type="password" {...a} autocomplete="new-password" />}
			</Field>
		</fieldset>
	);
}
