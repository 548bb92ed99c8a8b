/**
 * The stop signals `ackflow dev` answers. It starts the Temporal server in a process group of
 * its own, out of reach of a terminal's Ctrl-C, so it must itself live through every signal
 * until it has stopped that server: the first signal asks to stop, later ones only say that
 * stopping is under way.
 */
import type { EventEmitter } from 'node:events';

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface StopSignals {
  /** Resolves with the first stop signal. */
  requested: Promise<NodeJS.Signals>;
  /** The first stop signal, once one has come. */
  received(): NodeJS.Signals | undefined;
  /** Gives the signals back to their default handling. */
  dispose(): void;
}

export function watchStopSignals(
  onRepeat: (signal: NodeJS.Signals) => void,
  target: Pick<EventEmitter, 'on' | 'off'> = process,
): StopSignals {
  let first: NodeJS.Signals | undefined;
  let resolve: (signal: NodeJS.Signals) => void = () => undefined;
  const requested = new Promise<NodeJS.Signals>((done) => (resolve = done));
  const onSignal = (signal: NodeJS.Signals) => {
    if (first) return onRepeat(signal);
    first = signal;
    resolve(signal);
  };
  for (const signal of STOP_SIGNALS) target.on(signal, onSignal);
  return {
    requested,
    received: () => first,
    dispose: () => STOP_SIGNALS.forEach((signal) => target.off(signal, onSignal)),
  };
}
