import { targetBounds } from '../../bench/lib/bounds.ts';

/** The bench's lower bounds under two targets: from the bare pipeline's figures and the work measured apart. */
const micro = { prepare_mixed_us: 30, decide_build_encode_mixed_us: 70 };
const figures = { cores: 2, bareRate: 6000, bareClientCpu: 120, barePostgresCpu: 160, bareBrokerCpu: 20, micro };

test('work beyond the headroom bounds both targets', () => {
  expect(targetBounds(figures)).toEqual({
    latency: {},
    required_extra_cpu_us_per_cmd: 100,
    service_cpu: { headroom_us_per_cmd: 60, bound: true },
    throughput: { minimum_cpu_us_per_cmd: 400, cpu_bound_cmds_per_s: 5000, target_cmds_per_s: 5100, bound: true },
  });
});

test('work within the headroom bounds neither', () => {
  const light = targetBounds({ ...figures, micro: { prepare_mixed_us: 10, decide_build_encode_mixed_us: 20 } })!;
  expect(light.service_cpu.bound).toBe(false);
  expect(light.throughput.bound).toBe(false);
});

test('a figure missing from the run gives no bound at all', () => {
  expect(targetBounds({ ...figures, micro: undefined })).toBeNull();
  expect(targetBounds({ ...figures, bareBrokerCpu: NaN })).toBeNull();
});

test('a bare relay slower than a latency target bounds it at that rate only', () => {
  expect(targetBounds({ ...figures, relayP99: 61.25, relayP99High: 120 })!.latency).toEqual({
    500: { relay_p99_ms: 61.3, target_ms: 50, bound: true },
    2000: { relay_p99_ms: 120, target_ms: 150, bound: false },
  });
  expect(targetBounds({ ...figures, relayP99: 50, relayP99High: NaN })!.latency).toEqual({ 500: { relay_p99_ms: 50, target_ms: 50, bound: false } });
});
