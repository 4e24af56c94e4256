/** @jsxImportSource hono/jsx */
/**
 * What the console's filtered lists share: the GET form of a list's two
 * filters (a choice and an id), and reading a page of the list, where a 400
 * (a filter or cursor the API refused) becomes words on the page.
 */
import type { Context } from "hono";
import { ReceiveLinkError } from "../../client/problem";
import { wordsFor } from "../problems";

/** A list's filter form: a select (with "any") and an id field; "Clear filters" once either is set. */
export function Filters<T extends string>(props: {
	action: string;
	select: {
		id: string;
		name: string;
		label: string;
		any: string;
		options: readonly T[];
		labelOf: (value: T) => string;
		value: string | undefined;
	};
	text: {
		id: string;
		name: string;
		label: string;
		placeholder: string;
		value: string | undefined;
	};
}) {
	const { action, select, text } = props;
	return (
		<form class="filters" method="get" action={action}>
			<div class="field">
				<label for={select.id}>{select.label}</label>
				<select id={select.id} name={select.name}>
					<option value="">{select.any}</option>
					{select.options.map((s) => (
						<option value={s} selected={s === select.value}>
							{select.labelOf(s)}
						</option>
					))}
				</select>
			</div>
			<div class="field">
				<label for={text.id}>{text.label}</label>
				<input
					id={text.id}
					name={text.name}
					type="text"
					value={text.value ?? ""}
					placeholder={text.placeholder}
					autocomplete="off"
					spellcheck={false}
				/>
			</div>
			<div class="filter-buttons">
				<button type="submit">Filter</button>
				{select.value || text.value ? <a href={action}>Clear filters</a> : null}
			</div>
		</form>
	);
}

/**
 * A page of a list from the API; on a 400 the empty page, the problem in
 * words (with its code), and the response's status set to 400.
 */
export async function listOrProblem<T>(
	c: Context,
	empty: T,
	load: () => Promise<T>,
): Promise<{ page: T; problem: string | undefined }> {
	try {
		return { page: await load(), problem: undefined };
	} catch (error) {
		if (!(error instanceof ReceiveLinkError) || error.status !== 400) throw error;
		c.status(400);
		return {
			page: empty,
			problem: `${wordsFor(error.code, error.problem.detail)} (${error.code})`,
		};
	}
}
