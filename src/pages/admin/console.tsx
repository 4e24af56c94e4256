/** @jsxImportSource hono/jsx */
/** The admin console's pages (behind a live admin session). */
import { Hono } from "hono";
import type { AppEnv } from "../../api/context";
import { apiFor } from "../api-client";
import { Page } from "../layout";
import { SignOut } from "../sign-in";

export const adminConsole = new Hono<AppEnv>().get("/", async (c) => {
	const { items } = await apiFor(c).listDeadLetters();
	return c.html(
		<Page title="Admin" surface="admin" nav={<SignOut home="/admin" />} script="pages">
			<h1>Dead letters</h1>
			<p>{items.length} on this page.</p>
		</Page>,
	);
});
