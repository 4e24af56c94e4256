/** @jsxImportSource hono/jsx */
/** The owner dashboard's pages (behind a live owner session). */
import { Hono } from "hono";
import type { AppEnv } from "../../api/context";
import { apiFor } from "../api-client";
import { Page } from "../layout";
import { SignOut } from "../sign-in";

export const dashboard = new Hono<AppEnv>().get("/", async (c) => {
	const { items } = await apiFor(c).listLinks({ limit: 50 });
	return c.html(
		<Page title="Your links" surface="app" nav={<SignOut home="/app" />} script="pages">
			<h1>Your links</h1>
			<ul>
				{items.map((l) => (
					<li>{l.title}</li>
				))}
			</ul>
		</Page>,
	);
});
