/**
 * Starts one real Temporal dev server (in memory, headless) for the whole test run, through
 * the same provisioning module `ackflow dev` uses.
 */
import type { TestProject } from 'vitest/node';
import { provisionTemporalCli } from '../../cli/temporal-cli.ts';
import { startDevServer } from '../../cli/temporal-server.ts';
import { TEST_NAMESPACES } from './namespaces.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalCliPath: string;
  }
}

export default async function setup(project: TestProject) {
  const cli = await provisionTemporalCli({ log: (line) => console.log(line) });
  const server = await startDevServer({
    cli,
    uiPort: false,
    extraNamespaces: Object.values(TEST_NAMESPACES),
  });
  console.log(`temporal dev server for tests: ${server.address} (${cli.source})`);
  project.provide('temporalAddress', server.address);
  project.provide('temporalCliPath', cli.path);
  return () => server.stop();
}
