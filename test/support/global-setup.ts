/**
 * Starts one real Temporal dev server (in memory, headless) for the whole test run, through
 * the same provisioning module `ackflow dev` uses, and like it falls back to the Temporal
 * SDK's own download (which needs the internet) where no CLI can be provisioned.
 */
import type { TestProject } from 'vitest/node';
import { provisionTemporalCli } from '../../cli/temporal-cli.ts';
import { startDevServer } from '../../cli/temporal-server.ts';
import { TEST_NAMESPACES } from './namespaces.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    /** Empty when the server came from the SDK's download, which names no binary. */
    temporalCliPath: string;
  }
}

export default async function setup(project: TestProject) {
  const cli = await provisionTemporalCli({ log: (line) => console.log(line) }).catch(
    (error: Error) => {
      console.log(`${error.message}; falling back to the Temporal SDK's download`);
      return undefined;
    },
  );
  const server = await startDevServer({
    cli,
    uiPort: false,
    extraNamespaces: Object.values(TEST_NAMESPACES),
  }).catch((error: Error) => {
    const tried = cli ? cli.path : 'no Temporal CLI, then the SDK download (needs the internet)';
    throw new Error(`no Temporal dev server for the tests (${tried}): ${error.message}`);
  });
  console.log(`temporal dev server for tests: ${server.address} (${cli?.source ?? 'SDK'})`);
  project.provide('temporalAddress', server.address);
  project.provide('temporalCliPath', cli?.path ?? '');
  return () => server.stop();
}
