#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so a fresh clone needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
let code = 1;
try {
  code = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`ackflow: ${error instanceof Error ? error.message : String(error)}\n`);
}
// Each command closes what it opened before returning; the Temporal SDK's native runtime
// keeps the event loop alive regardless, so the exit is explicit.
process.exit(code);
