/** A problem in words on a page (the sentences are in words.ts). */
import { PROBLEM_WORDS } from "./words";

/** The sentence to show for a problem code (or the problem's detail when no sentence exists). */
export function wordsFor(code: string | undefined, detail?: string): string {
	return (code && PROBLEM_WORDS[code]) || detail || "Something went wrong. Try again.";
}
