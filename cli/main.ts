/** The `ackflow` command: one subcommand per role, each returning an exit code. */
import { bench } from './bench.ts';
import { bundle } from './bundle.ts';
import { dev } from './dev.ts';
import { redrive } from './redrive.ts';
import { replay } from './replay.ts';
import { report } from './report/index.ts';
import { send } from './send.ts';
import { gateway, mockLlm, worker } from './services.ts';
import { provisionTemporalCli } from './temporal-cli.ts';

async function temporalCli(): Promise<number> {
  const cli = await provisionTemporalCli({ log: (line) => process.stderr.write(`${line}\n`) });
  process.stderr.write(`temporal CLI from ${cli.source}: ${cli.version.split('\n')[0]}\n`);
  process.stdout.write(`${cli.path}\n`);
  return 0;
}

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; help: string }> = {
  dev: { run: dev, help: 'the whole stack on one machine (Temporal, worker, gateway, mock LLM)' },
  gateway: { run: gateway, help: 'the HTTP gateway only' },
  worker: {
    run: worker,
    help: 'a worker serving task queues (--queues light,heavy --role all|workflows|activities)',
  },
  send: { run: send, help: 'sign an envelope as QStash does and deliver it' },
  redrive: { run: redrive, help: 'start again tasks that failed or timed out (--dry-run)' },
  replay: { run: replay, help: 'replay histories against this code; non-zero on nondeterminism' },
  report: { run: report, help: 'the three curves, signals and capacity from logs (--visibility)' },
  bundle: { run: bundle, help: 'prebuild the workflow bundle (--out dist/workflow-bundle.js)' },
  'mock-llm': { run: mockLlm, help: 'the built-in OpenAI-compatible mock LLM' },
  'temporal-cli': { run: temporalCli, help: 'find or install the Temporal CLI; prints its path' },
  bench: { run: bench, help: 'measurements on this machine (ack: gateway ACK latency)' },
};

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([name, { help }]) => `  ${name.padEnd(14)}${help}`);
  return `usage: ackflow <command> [options]\n\n${rows.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(usage());
    return name === undefined || name === '--help' || name === 'help' ? 0 : 2;
  }
  return command.run(rest);
}
