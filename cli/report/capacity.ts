/**
 * Capacity by Little's law: a system that takes λ tasks per second and keeps each for W
 * seconds holds L = λ·W of them at once. Workers hold a task for its whole run; with
 * ackflow, QStash holds a delivery only until the ACK, so it needs λ × ACK time slots where
 * answering after the work would need λ·W.
 */

/** Slots are sized 30% above the average, since arrivals come in bursts. */
export const HEADROOM = 1.3;

export interface CapacityInput {
  /** Tasks per second. */
  arrivalRate: number | null;
  arrivalSource: string;
  /** Mean seconds a task runs. */
  taskSeconds: number | null;
  taskSource: string;
  /** Mean seconds a delivery waits for its answer. */
  ackSeconds: number | null;
  /** The producers' flow-control parallelism, when known. */
  qstashParallelism?: number;
}

/** A concurrency: the average L, and the slots to provide for it with headroom. */
export interface Concurrency {
  average: number;
  slots: number;
}

export interface Capacity extends CapacityInput {
  headroom: number;
  /** L = λ·W: tasks running at once, so the worker slots needed. */
  workers: Concurrency | null;
  /** λ × ACK time: QStash deliveries in flight with ackflow. */
  qstashWithAckflow: Concurrency | null;
  /** λ·W: QStash deliveries in flight if the endpoint answered after the work. */
  qstashHoldingSlot: Concurrency | null;
  /** What the given parallelism allows, in tasks per second: P / ACK time and P / W. */
  maxRate: { withAckflow: number | null; holdingSlot: number | null } | null;
}

function concurrency(rate: number | null, seconds: number | null): Concurrency | null {
  if (rate === null || seconds === null) return null;
  const average = rate * seconds;
  return { average, slots: Math.ceil(average * HEADROOM - 1e-9) };
}

const perSecond = (slots: number, seconds: number | null) =>
  seconds === null || seconds <= 0 ? null : slots / seconds;

export function capacity(input: CapacityInput): Capacity {
  const { arrivalRate, taskSeconds, ackSeconds, qstashParallelism } = input;
  return {
    ...input,
    headroom: HEADROOM,
    workers: concurrency(arrivalRate, taskSeconds),
    qstashWithAckflow: concurrency(arrivalRate, ackSeconds),
    qstashHoldingSlot: concurrency(arrivalRate, taskSeconds),
    maxRate:
      qstashParallelism === undefined
        ? null
        : {
            withAckflow: perSecond(qstashParallelism, ackSeconds),
            holdingSlot: perSecond(qstashParallelism, taskSeconds),
          },
  };
}
