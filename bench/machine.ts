/** The machine a benchmark ran on, for the record beside its figures. */
import { readFile } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';

export async function machine(temporalCli: string) {
  const packageUrl = new URL('../package.json', import.meta.url);
  const pkg = JSON.parse(await readFile(packageUrl, 'utf8')) as {
    dependencies: Record<string, string>;
  };
  return {
    cpus: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    temporalCli,
    temporalSdk: pkg.dependencies['@temporalio/client'],
  };
}
