import { readFileSync } from 'node:fs';

/** The parts of V8's .cpuprofile format (`node --cpu-prof`) this summary reads. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry { name: string; ms: number; percent: number }

export interface ProfileSummary {
  /** Profiled time inside the window, ms. */
  totalMs: number;
  /** Self time of single functions (name file:line). */
  topSelf: ProfileEntry[];
  /** Self time added up by where the code lives (src file, package, node internals, GC, idle). */
  byOwner: ProfileEntry[];
  /** Inclusive time (self + callees on the synchronous stack) of the project's own functions. */
  topInclusiveSrc: ProfileEntry[];
}

function ownerOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName.startsWith('(')) return functionName; // (garbage collector), (idle), (program)
    return '(native)';
  }
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = path.slice(modules + '/node_modules/'.length).split('/');
    return `pkg:${rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  if (path.startsWith('node:')) return 'node:internal';
  const src = path.indexOf('/src/');
  if (src >= 0) return path.slice(src + 1);
  return path;
}

const shortUrl = (url: string) => {
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) return path.slice(modules + '/node_modules/'.length);
  const src = path.indexOf('/src/');
  return src >= 0 ? path.slice(src + 1) : path;
};

/**
 * Summarises a .cpuprofile: self and inclusive time per function within [fromMs, toMs] of the
 * profile (ms since the profile started), so startup and shutdown can be left out.
 */
export function summariseProfile(file: string, window: { fromMs: number; toMs: number }, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const keyOf = (id: number) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    return url ? `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}` : functionName || '(anonymous)';
  };
  const self = new Map<string, number>();
  const owner = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let totalUs = 0;
  let clock = 0;
  for (let index = 0; index < profile.samples.length; index++) {
    clock += profile.timeDeltas[index] ?? 0;
    const at = clock / 1000;
    if (at < window.fromMs || at > window.toMs) continue;
    // A sample's weight is the time until the next one.
    const weight = profile.timeDeltas[index + 1] ?? 0;
    const id = profile.samples[index]!;
    const node = byId.get(id)!;
    totalUs += weight;
    const key = keyOf(id);
    self.set(key, (self.get(key) ?? 0) + weight);
    const who = ownerOf(node.callFrame.url, node.callFrame.functionName);
    owner.set(who, (owner.get(who) ?? 0) + weight);
    const seen = new Set<string>();
    for (let cursor: number | undefined = id; cursor !== undefined; cursor = parent.get(cursor)) {
      const frame = byId.get(cursor)!.callFrame;
      if (!frame.url.includes('/src/') || frame.url.includes('/node_modules/')) continue;
      const name = keyOf(cursor);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + weight);
    }
  }
  const entries = (map: Map<string, number>, count: number) => [...map]
    .sort((a, b) => b[1] - a[1]).slice(0, count)
    .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, percent: Math.round((1000 * us) / totalUs) / 10 }));
  return { totalMs: Math.round(totalUs / 1000), topSelf: entries(self, top), byOwner: entries(owner, top), topInclusiveSrc: entries(inclusive, top) };
}
