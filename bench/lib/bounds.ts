/**
 * Lower bounds under two of issue 18's targets, from figures of one run. The processor consumes
 * the same command records, produces the same outcome records and writes at least the same rows
 * as the bare pipeline, so per command it needs at least the bare pipeline's CPU (its client,
 * PostgreSQL and the broker), plus what the bare pipeline never does: decode each command, check
 * its token (from the verifier's cache), hash its payload, decide, build the outcome and encode
 * it as Avro. That extra work is measured apart on the real code in the micro phase. A bound
 * holds when even that minimum leaves the target out of reach, whatever shape the processor has.
 */
export interface BoundFigures {
  cores: number;
  bareRate: number;
  bareClientCpu: number;
  barePostgresCpu: number;
  bareBrokerCpu: number;
  /** details.micro_us of the same run. */
  micro: Record<string, number> | undefined;
  /** The bare relay's p99 at the two latency rates (relay-latency.ts), ms. */
  relayP99?: number | undefined;
  relayP99High?: number | undefined;
}

/** The latency targets, ms at a rate (issue 18). */
export const LATENCY_TARGETS = { 500: 50, 2000: 150 } as const;

export interface TargetBounds {
  /** The per-command work the bare pipeline does not do, µs: prepare (the mix) + decide, build and encode. */
  required_extra_cpu_us_per_cmd: number;
  service_cpu: { headroom_us_per_cmd: number; bound: boolean };
  throughput: { minimum_cpu_us_per_cmd: number; cpu_bound_cmds_per_s: number; target_cmds_per_s: number; bound: boolean };
  /**
   * Per rate: the processor's path holds the relay's (two broker hops, a transaction, a produce
   * and an offset commit per batch), so when the relay alone misses a latency target at a rate,
   * no shape of the processor meets it there.
   */
  latency: Partial<Record<keyof typeof LATENCY_TARGETS, { relay_p99_ms: number; target_ms: number; bound: boolean }>>;
}

const round1 = (value: number) => Math.round(value * 10) / 10;

export function targetBounds(figures: BoundFigures): TargetBounds | null {
  const prepare = figures.micro?.prepare_mixed_us;
  const decide = figures.micro?.decide_build_encode_mixed_us;
  const known = [prepare, decide, figures.bareRate, figures.bareClientCpu, figures.barePostgresCpu, figures.bareBrokerCpu];
  if (!known.every((value) => typeof value === 'number' && Number.isFinite(value))) return null;
  const extra = prepare! + decide!;
  // Service CPU <= 1.5x the bare client's: the headroom is half the bare client's CPU.
  const headroom = 0.5 * figures.bareClientCpu;
  // Throughput >= 85% of the bare pipeline: with every core busy, cores / minimum CPU per command.
  const minimum = figures.bareClientCpu + figures.barePostgresCpu + figures.bareBrokerCpu + extra;
  const capacity = (figures.cores * 1e6) / minimum;
  const target = 0.85 * figures.bareRate;
  const latency: TargetBounds['latency'] = {};
  for (const [rate, p99] of [[500, figures.relayP99], [2000, figures.relayP99High]] as const) {
    if (typeof p99 === 'number' && Number.isFinite(p99)) latency[rate] = { relay_p99_ms: round1(p99), target_ms: LATENCY_TARGETS[rate], bound: p99 > LATENCY_TARGETS[rate] };
  }
  return {
    latency,
    required_extra_cpu_us_per_cmd: round1(extra),
    service_cpu: { headroom_us_per_cmd: round1(headroom), bound: extra > headroom },
    throughput: { minimum_cpu_us_per_cmd: round1(minimum), cpu_bound_cmds_per_s: Math.round(capacity), target_cmds_per_s: Math.round(target), bound: capacity < target },
  };
}
