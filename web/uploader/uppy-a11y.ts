// Uppy's dashboard renders a single file's `role="listitem"` inside a plain
// div (the `role="list"` is only on its multi-file list), which screen readers
// and axe (aria-required-parent, critical) reject. Until Uppy fixes it, give
// that wrapper its list role whenever the dashboard re-renders.
export function patchUppyA11y(root: HTMLElement): void {
	const fix = () => {
		for (const el of root.querySelectorAll(".uppy-Dashboard-files:not([role])"))
			el.setAttribute("role", "list");
	};
	new MutationObserver(fix).observe(root, { childList: true, subtree: true });
	fix();
}
