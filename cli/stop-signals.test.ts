import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { watchStopSignals } from './stop-signals.ts';

describe('watchStopSignals', () => {
  it('resolves with the first stop signal and reports later ones as repeats', async () => {
    const target = new EventEmitter();
    const repeats: string[] = [];
    const signals = watchStopSignals((signal) => repeats.push(signal), target);
    expect(signals.received()).toBeUndefined();

    target.emit('SIGHUP', 'SIGHUP');
    target.emit('SIGINT', 'SIGINT');
    target.emit('SIGTERM', 'SIGTERM');

    await expect(signals.requested).resolves.toBe('SIGHUP');
    expect(signals.received()).toBe('SIGHUP');
    expect(repeats).toEqual(['SIGINT', 'SIGTERM']);
  });

  it('leaves no listener behind once disposed', () => {
    const target = new EventEmitter();
    const signals = watchStopSignals(() => undefined, target);
    expect(target.listenerCount('SIGINT')).toBe(1);
    signals.dispose();
    for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP']) expect(target.listenerCount(name)).toBe(0);
  });
});
