/** @jsxImportSource hono/jsx */
/** The landing page at `/`: where the pages and the API documentation are. */
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { Page } from "./layout";
import { pageHeaders } from "./security";

// pageHeaders on this route only: a `use()` here would wrap every path of the
// Worker (this app is mounted at "/"), the JSON API and its downloads included.
export const home = new Hono<AppEnv>().get("/", pageHeaders, (c) =>
	c.html(
		<Page title="Receive links" surface="home" narrow>
			<h1>Receive links</h1>
			<p>
				Receive links let anyone you give a link send you files, safely, into your storage. You
				pause, resume, revoke or delete a link at any time, even while files are on their way.
			</p>
			<ul>
				<li>
					<a href="/app">Owner dashboard</a>: sign in with your API key to create links and see what
					you received.
				</li>
				<li>
					<a href="/admin">Admin console</a>: owners, every link, dead letters.
				</li>
				<li>
					<a href="/docs">API reference</a> and the <a href="/openapi.json">OpenAPI document</a>.
				</li>
			</ul>
			<p class="muted small">
				Someone sent you a link? Open it as it is: it leads straight to the upload page.
			</p>
		</Page>,
	),
);
