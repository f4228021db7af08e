/**
 * Lower bounds under issue 18's latency targets, from figures of one run. The bare relay
 * (relay-latency.ts) is the processor's path with none of its work: two broker hops, a
 * transaction, a produce and an offset commit per batch, at the same rate. When the relay alone
 * misses a latency target at a rate, no shape of the processor meets it there.
 *
 * The CPU figures bound nothing: the processor carries several partitions in one transaction,
 * one send and one offset commit, so its client and PostgreSQL CPU per command can fall below the
 * bare pipeline's, which works partition by partition (a run on 2026-12-02 at 13:20 UTC: service
 * 138.5 against the bare client's 93.1 plus 51.9 of work measured apart). A floor built from the
 * bare pipeline's CPU was shown wrong by that run and is gone.
 */
/** The latency targets: p99 ms at a rate of commands/s (issue 18). */
export const LATENCY_TARGETS = { 500: 50, 2000: 150 } as const;
export type LatencyRate = keyof typeof LATENCY_TARGETS;

export type TargetBounds = Partial<Record<LatencyRate, { relay_p99_ms: number; target_ms: number; bound: boolean }>>;

const round1 = (value: number) => Math.round(value * 10) / 10;

/** `relayP99`: the bare relay's p99 by rate, ms; a rate without a finite figure gives no bound. */
export function targetBounds(relayP99: Partial<Record<LatencyRate, number>>): TargetBounds {
  const bounds: TargetBounds = {};
  for (const [rate, p99] of Object.entries(relayP99) as [`${LatencyRate}`, number | undefined][]) {
    const target = LATENCY_TARGETS[rate];
    if (typeof p99 === 'number' && Number.isFinite(p99)) bounds[rate] = { relay_p99_ms: round1(p99), target_ms: target, bound: p99 > target };
  }
  return bounds;
}
