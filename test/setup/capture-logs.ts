// Captures every console line of the test file (the Worker, its Durable
// Objects and the tests share this isolate) and fails the file if any of them
// carries a secret. See test/log-secrets.ts.
import { afterAll } from "vitest";
import { capturedLogs, findSecrets } from "../log-secrets";

const capture = capturedLogs();

afterAll(() => {
	const leaks = findSecrets(capture.lines);
	if (leaks.length > 0) {
		const shown = leaks.slice(0, 5).map(([kind, line]) => `${kind}: ${line.slice(0, 300)}`);
		throw new Error(`secrets in the logs of this test file:\n${shown.join("\n")}`);
	}
});
