/** `bench ack`'s flags: two profiles of defaults, and limits that keep the load bounded. */
import { parseArgs } from 'node:util';
import { numberFlag } from './number-flag.ts';

export const ACK_USAGE = `usage: ackflow bench ack [--quick] [--rate 50] [--duration 20]
  [--warmup 3] [--rounds 4] [--storage sqlite|memory] [--workers none|local] [--json out.json]
  [--saturate [--step 5] [--max-rate 1000]]`;

export interface AckOptions {
  /** Requests per second in the comparison. */
  rate: number;
  /** Measured seconds per scenario, split over the rounds. */
  durationS: number;
  /** Seconds per scenario run first and discarded. */
  warmupS: number;
  rounds: number;
  /** Temporal's store: a SQLite file as deployed, or memory to see what the file costs. */
  storage: 'sqlite' | 'memory';
  /**
   * `none`: no worker runs the started tasks, as when workers live on other machines, so the
   * ACK path has the CPUs to itself. `local`: workers on this machine run every task too.
   */
  workers: 'none' | 'local';
  saturate: boolean;
  /** Seconds per saturation step, and the highest rate tried. */
  stepS: number;
  maxRate: number;
  json?: string;
  quick: boolean;
  help: boolean;
}

type Numeric = 'rate' | 'duration' | 'warmup' | 'rounds' | 'step' | 'max-rate';

/** The defaults, and `--quick`'s lighter ones; flags given on the command line win. */
const PROFILES: Record<'full' | 'quick', Record<Numeric, number>> = {
  full: { rate: 50, duration: 20, warmup: 3, rounds: 4, step: 5, 'max-rate': 1_000 },
  quick: { rate: 20, duration: 5, warmup: 1, rounds: 2, step: 2, 'max-rate': 1_000 },
};

/** Load stays bounded in rate and time whatever the flags say. */
const LIMITS: Record<Numeric, [number, number]> = {
  rate: [1, 5_000],
  duration: [1, 600],
  warmup: [0, 60],
  rounds: [1, 20],
  step: [1, 30],
  'max-rate': [50, 5_000],
};

export function parseAckOptions(argv: string[]): AckOptions {
  const text = { type: 'string' } as const;
  const { values } = parseArgs({
    args: argv,
    options: {
      rate: text,
      duration: text,
      warmup: text,
      rounds: text,
      step: text,
      'max-rate': text,
      json: text,
      storage: { type: 'string', default: 'sqlite' },
      workers: { type: 'string', default: 'none' },
      quick: { type: 'boolean', default: false },
      saturate: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const profile = PROFILES[values.quick ? 'quick' : 'full'];
  const number = (name: Numeric) => numberFlag(name, values[name], profile[name], LIMITS[name]);
  if (values.storage !== 'sqlite' && values.storage !== 'memory') {
    throw new RangeError(`--storage is sqlite or memory; got ${values.storage}`);
  }
  if (values.workers !== 'none' && values.workers !== 'local') {
    throw new RangeError(`--workers is none or local; got ${values.workers}`);
  }
  return {
    rate: number('rate'),
    durationS: number('duration'),
    warmupS: number('warmup'),
    rounds: Math.round(number('rounds')),
    storage: values.storage,
    workers: values.workers,
    saturate: values.saturate,
    stepS: number('step'),
    maxRate: number('max-rate'),
    json: values.json,
    quick: values.quick,
    help: values.help,
  };
}
