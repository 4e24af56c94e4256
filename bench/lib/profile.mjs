// CPU profiles of the service's Worker isolate (edge code and LinkDO), taken
// through wrangler dev's inspector port with the DevTools protocol, and
// summarized as self and inclusive time per function with its source line.
// Only the Worker's own isolate is visible: the local R2/D1/queue simulators
// and workerd's native I/O show up as "(idle)" or "(program)".

export async function connectProfiler(inspectorPort) {
	const list = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json();
	const url = list[0]?.webSocketDebuggerUrl;
	if (!url) throw new Error("no inspector target");
	// The inspector proxy only admits local DevTools origins.
	const ws = new WebSocket(url, { headers: { origin: "http://127.0.0.1" } });
	await new Promise((resolve, reject) => {
		ws.onopen = resolve;
		ws.onerror = (e) => reject(new Error(`inspector: ${e.message ?? "connection failed"}`));
	});
	let id = 0;
	const pending = new Map();
	ws.onmessage = (e) => {
		const m = JSON.parse(String(e.data));
		if (m.id && pending.has(m.id)) {
			pending.get(m.id)(m);
			pending.delete(m.id);
		}
	};
	const send = (method, params = {}) =>
		new Promise((resolve) => {
			const i = ++id;
			pending.set(i, resolve);
			ws.send(JSON.stringify({ id: i, method, params }));
		});
	await send("Profiler.enable");
	await send("Profiler.setSamplingInterval", { interval: 250 });
	await send("Debugger.enable");
	const sources = new Map();
	async function sourceLine(scriptId, line) {
		if (!scriptId || scriptId === "0") return "";
		if (!sources.has(scriptId)) {
			const r = await send("Debugger.getScriptSource", { scriptId });
			sources.set(scriptId, (r.result?.scriptSource ?? "").split("\n"));
		}
		return (sources.get(scriptId)[line] ?? "").trim().slice(0, 100);
	}
	return {
		start: () => send("Profiler.start"),
		/** Stops and summarizes: { sampledMs, idlePct, self: [...], inclusive: [...] }. */
		async stop(top = 25) {
			const profile = (await send("Profiler.stop")).result?.profile;
			if (!profile) return null;
			return summarize(profile, top, sourceLine);
		},
		close: async () => {
			await send("Debugger.disable");
			ws.close();
		},
	};
}

async function summarize(profile, top, sourceLine) {
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = new Map();
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
	const self = new Map();
	const incl = new Map();
	let total = 0;
	profile.samples.forEach((sample, i) => {
		const dt = profile.timeDeltas[i] ?? 0;
		total += dt;
		const f = byId.get(sample).callFrame;
		const key = `${f.functionName || "(anonymous)"}@${f.scriptId}:${f.lineNumber}`;
		const entry = self.get(key) ?? { frame: f, us: 0 };
		entry.us += dt;
		self.set(key, entry);
		const seen = new Set();
		for (let cur = sample; cur !== undefined; cur = parent.get(cur)) {
			const cf = byId.get(cur).callFrame;
			const name = cf.functionName || "(anonymous)";
			if (name === "(root)" || seen.has(name)) continue;
			seen.add(name);
			incl.set(name, (incl.get(name) ?? 0) + dt);
		}
	});
	const pct = (us) => Math.round((1000 * us) / Math.max(1, total)) / 10;
	const selfRows = [];
	for (const { frame, us } of [...self.values()].sort((a, b) => b.us - a.us).slice(0, top)) {
		selfRows.push({
			function: frame.functionName || "(anonymous)",
			ms: Math.round(us / 100) / 10,
			pct: pct(us),
			source: frame.lineNumber >= 0 ? await sourceLine(frame.scriptId, frame.lineNumber) : "",
		});
	}
	const inclusive = [...incl]
		.sort((a, b) => b[1] - a[1])
		.slice(0, top)
		.map(([name, us]) => ({ function: name, ms: Math.round(us / 100) / 10, pct: pct(us) }));
	const idle = self.get("(idle)@0:-1")?.us ?? 0;
	return { sampledMs: Math.round(total / 1000), idlePct: pct(idle), self: selfRows, inclusive };
}
