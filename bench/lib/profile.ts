// CPU profiles of the service's Worker isolate (edge code and LinkDO), taken
// through wrangler dev's inspector port with the DevTools protocol, and
// summarized as self and inclusive time per function with its source line.
// Only the Worker's own isolate is visible: the local R2/D1/queue simulators
// and workerd's native I/O show up as "(idle)" or "(program)".

/** The parts of a DevTools `Profiler.Profile` this summary reads. */
interface CallFrame {
	functionName: string;
	scriptId: string;
	lineNumber: number;
}
interface ProfileNode {
	id: number;
	callFrame: CallFrame;
	children?: number[];
}
interface Profile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
}

interface Message {
	id?: number;
	result?: { profile?: Profile; scriptSource?: string };
}

export interface ProfileSummary {
	sampledMs: number;
	idlePct: number;
	self: { function: string; ms: number; pct: number; source: string }[];
	inclusive: { function: string; ms: number; pct: number }[];
}

export interface Profiler {
	start(): Promise<unknown>;
	/** Stops and summarizes the `top` functions by self and by inclusive time. */
	stop(top?: number): Promise<ProfileSummary | null>;
	close(): Promise<void>;
}

type SourceLine = (scriptId: string, line: number) => Promise<string>;

export async function connectProfiler(inspectorPort: number): Promise<Profiler> {
	const list = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as {
		webSocketDebuggerUrl?: string;
	}[];
	const url = list[0]?.webSocketDebuggerUrl;
	if (!url) throw new Error("no inspector target");
	// The inspector proxy only admits local DevTools origins.
	const ws = new WebSocket(url, { headers: { origin: "http://127.0.0.1" } });
	await new Promise((resolve, reject) => {
		ws.onopen = resolve;
		ws.onerror = (e) =>
			reject(new Error(`inspector: ${(e as { message?: string }).message ?? "connection failed"}`));
	});
	let id = 0;
	const pending = new Map<number, (m: Message) => void>();
	ws.onmessage = (e) => {
		const m = JSON.parse(String(e.data)) as Message;
		const done = m.id ? pending.get(m.id) : undefined;
		if (m.id && done) {
			done(m);
			pending.delete(m.id);
		}
	};
	const send = (method: string, params: Record<string, unknown> = {}) =>
		new Promise<Message>((resolve) => {
			const i = ++id;
			pending.set(i, resolve);
			ws.send(JSON.stringify({ id: i, method, params }));
		});
	await send("Profiler.enable");
	await send("Profiler.setSamplingInterval", { interval: 250 });
	await send("Debugger.enable");
	const sources = new Map<string, string[]>();
	const sourceLine: SourceLine = async (scriptId, line) => {
		if (!scriptId || scriptId === "0") return "";
		let lines = sources.get(scriptId);
		if (!lines) {
			const r = await send("Debugger.getScriptSource", { scriptId });
			lines = (r.result?.scriptSource ?? "").split("\n");
			sources.set(scriptId, lines);
		}
		return (lines[line] ?? "").trim().slice(0, 100);
	};
	return {
		start: () => send("Profiler.start"),
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

async function summarize(
	profile: Profile,
	top: number,
	sourceLine: SourceLine,
): Promise<ProfileSummary> {
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = new Map<number, number>();
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
	const frameOf = (nodeId: number): CallFrame => {
		const node = byId.get(nodeId);
		if (!node) throw new Error(`profile: no node ${nodeId}`);
		return node.callFrame;
	};
	const self = new Map<string, { frame: CallFrame; us: number }>();
	const incl = new Map<string, number>();
	let total = 0;
	profile.samples.forEach((sample, i) => {
		const dt = profile.timeDeltas[i] ?? 0;
		total += dt;
		const f = frameOf(sample);
		const key = `${f.functionName || "(anonymous)"}@${f.scriptId}:${f.lineNumber}`;
		const entry = self.get(key) ?? { frame: f, us: 0 };
		entry.us += dt;
		self.set(key, entry);
		const seen = new Set<string>();
		for (let cur: number | undefined = sample; cur !== undefined; cur = parent.get(cur)) {
			const name = frameOf(cur).functionName || "(anonymous)";
			if (name === "(root)" || seen.has(name)) continue;
			seen.add(name);
			incl.set(name, (incl.get(name) ?? 0) + dt);
		}
	});
	const pct = (us: number) => Math.round((1000 * us) / Math.max(1, total)) / 10;
	const selfRows: ProfileSummary["self"] = [];
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
