// Where a hub's CPU went: self time by function and by package from a .cpuprofile written by
// `BENCH_CPU_PROF=1 npm run bench` (bench/results/prof/), over the busiest seconds of the profile only (the
// saturated throughput runs), so idle phases do not dilute it.
// Run: npx tsx bench/prof-top.ts <file.cpuprofile> [functions to list, 25] [busiest seconds, 20 | from-to seconds]
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const Profile = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
      children: z.array(z.number()).optional(),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

const [file, nArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: npx tsx bench/prof-top.ts <file.cpuprofile> [n]');
  process.exit(2);
}
const n = Number(nArg ?? 25);
const pick = process.argv[4] ?? '20';
const prof = Profile.parse(JSON.parse(readFileSync(file, 'utf8')));
const frameOf = new Map(prof.nodes.map((nd) => [nd.id, nd.callFrame]));
const parentOf = new Map<number, number>();
for (const nd of prof.nodes) for (const c of nd.children ?? []) parentOf.set(c, nd.id);
/** The hub's own functions on a sample's stack (each once): time spent under them, whatever library ran. */
const hubFrames = (id: number): string[] => {
  const out = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
    const f = frameOf.get(at);
    const m = f && /\/(server|contracts)\/(.+)$/.exec(f.url);
    if (f && m) out.add(`${f.functionName || '(anonymous)'}  ${m[1]}/${m[2]}`);
  }
  return [...out];
};
// Samples by second of the profile; the seconds with the least idle time are the ones analysed.
const isIdle = (id: number) => frameOf.get(id)?.functionName === '(idle)';
const second: number[] = [];
let clock = 0;
for (const d of prof.timeDeltas) second.push(Math.floor((clock += d) / 1e6));
const busyBySecond = new Map<number, number>();
prof.samples.forEach((id, i) => {
  if (!isIdle(id)) busyBySecond.set(second[i]!, (busyBySecond.get(second[i]!) ?? 0) + (prof.timeDeltas[i] ?? 0));
});
// "95-150": those seconds of the profile (the bench's log says when each phase ran); "20": the 20 busiest.
const range = /^(\d+)-(\d+)$/.exec(pick);
const chosen = range
  ? new Set([...busyBySecond.keys()].filter((s) => s >= Number(range[1]) && s < Number(range[2])))
  : new Set([...busyBySecond].sort((a, b) => b[1] - a[1]).slice(0, Number(pick)).map(([s]) => s));
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const byPackage = new Map<string, number>();
let totalUs = 0;
prof.samples.forEach((id, i) => {
  if (!chosen.has(second[i]!)) return;
  const us = prof.timeDeltas[i] ?? 0;
  const f = frameOf.get(id);
  if (!f) return;
  totalUs += us;
  const where = f.url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, 'node_modules/').replace(/^.*\/(server|contracts)\//, '$1/');
  const fn = `${f.functionName || '(anonymous)'}  ${where}:${f.lineNumber + 1}`;
  self.set(fn, (self.get(fn) ?? 0) + us);
  for (const h of hubFrames(id)) inclusive.set(h, (inclusive.get(h) ?? 0) + us);
  const parts = where.split('/');
  const pkg = where.startsWith('node_modules/')
    ? parts.slice(1, parts[1]?.startsWith('@') ? 3 : 2).join('/')
    : where.startsWith('node:') ? 'node (built-in)' : where === '' ? f.functionName || '(vm)' : `${parts[0] ?? ''}/${parts[1] ?? ''}`;
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
});
const show = (m: Map<string, number>, k: number) =>
  [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([name, us]) => `${((100 * us) / totalUs).toFixed(1).padStart(5)}%  ${name}`).join('\n');
const busyUs = [...chosen].reduce((a, s) => a + (busyBySecond.get(s) ?? 0), 0);
console.log(`${(totalUs / 1e6).toFixed(1)} s sampled in ${chosen.size} seconds (${range ? `${range[1]}–${range[2]} s` : 'the busiest'}), ${((100 * busyUs) / totalUs).toFixed(0)}% of it busy\n\nby package / area:\n${show(byPackage, 15)}\n\nhub functions, inclusive (what ran under them):\n${show(inclusive, n)}\n\nby function (self time):\n${show(self, n)}`);
