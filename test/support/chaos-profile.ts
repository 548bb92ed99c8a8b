/**
 * The chaos suite's two profiles. `quick` runs in every `npm test` and keeps the whole suite
 * to a few minutes on two cores; `ACKFLOW_CHAOS=long` runs more tasks and more faults, for
 * the figures in docs/reliability.md. `ACKFLOW_CHAOS_SEED` replays one run's schedule.
 */
export type ChaosProfileName = 'quick' | 'long';

export interface ChaosProfile {
  name: ChaosProfileName;
  /** Seeds every random choice of a run: kill times, fault targets, duplicates. */
  seed: number;
  workerKill: { tasks: number; killPhaseMs: number };
  gatewayKill: { tasks: number; kills: number; startCrashTasks: number };
  temporalRestart: { tasks: number; restarts: number };
  faults: { tasks: number; perKind: number; duplicateShare: number };
  /** Per-test timeout: the load, the recovery, and the checks afterwards. */
  testTimeoutMs: number;
}

const QUICK: Omit<ChaosProfile, 'seed'> = {
  name: 'quick',
  workerKill: { tasks: 30, killPhaseMs: 14_000 },
  gatewayKill: { tasks: 40, kills: 2, startCrashTasks: 3 },
  temporalRestart: { tasks: 30, restarts: 1 },
  faults: { tasks: 40, perKind: 2, duplicateShare: 0.1 },
  testTimeoutMs: 150_000,
};

const LONG: Omit<ChaosProfile, 'seed'> = {
  name: 'long',
  workerKill: { tasks: 120, killPhaseMs: 60_000 },
  gatewayKill: { tasks: 200, kills: 8, startCrashTasks: 10 },
  temporalRestart: { tasks: 120, restarts: 3 },
  faults: { tasks: 200, perKind: 8, duplicateShare: 0.1 },
  testTimeoutMs: 420_000,
};

export function chaosProfile(env: Record<string, string | undefined> = process.env) {
  const base = env.ACKFLOW_CHAOS === 'long' ? LONG : QUICK;
  const asked = Number(env.ACKFLOW_CHAOS_SEED);
  const seed = Number.isInteger(asked) ? asked : Date.now() % 1_000_000;
  return { ...base, seed } satisfies ChaosProfile;
}

/** A small seeded generator (mulberry32), so a failing schedule can be run again. */
export function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    /** An integer in [min, max]. */
    between: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    /** `count` distinct items of `items`, in a random order. */
    pick<T>(items: readonly T[], count: number): T[] {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i -= 1) {
        const j = Math.floor(next() * (i + 1));
        [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
      }
      return copy.slice(0, count);
    },
  };
}
