#!/usr/bin/env node
// `receive-links`: the package's bin (`npx receive-links ...` from a clone,
// `npm run cli -- ...`). Node 22 runs this TypeScript as is; see docs/cli.md.
import { buildProgram } from "./program.ts";

await buildProgram().parseAsync(process.argv);
