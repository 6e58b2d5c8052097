// `npm run chaos -- [--duration 600] [--seed N] [--faults N] [--teams 30] [--persisters one|both]`: the long fault
// run of issue #8 (test/chaos/harness.ts): real hubs, our own redis-server (AOF always), a fresh PostgreSQL
// database, simulated collectors with retries, faults at seeded random moments; exits non-zero unless every
// total is exact in Redis, PostgreSQL and on the dashboard and `verify` (the CLI's check, run against the run's
// PostgreSQL and Redis once the persister drained) reports zero differences.
import { parseArgs } from 'node:util';
import { runChaos } from '../test/chaos/harness.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '600' },
    seed: { type: 'string' },
    faults: { type: 'string' },
    teams: { type: 'string', default: '30' },
    persisters: { type: 'string', default: 'both' },
    'stale-ms': { type: 'string', default: '3000' },
  },
});

const durationS = Number(values.duration);
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
// About one fault every 20 s, never fewer than one of each kind.
const faults = values.faults !== undefined ? Number(values.faults) : Math.max(4, Math.round(durationS / 20));
const persisters = values.persisters === 'one' ? 'one' : 'both';
if (!(durationS >= 10) || !Number.isFinite(seed) || !(faults >= 0)) {
  console.error('usage: npm run chaos -- [--duration SECONDS>=10] [--seed N] [--faults N] [--teams N] [--persisters one|both]');
  process.exit(2);
}

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    // runChaos stops its children by pid in its finally; a second signal leaves at once.
    if (stopping) process.exit(130);
    stopping = true;
    console.error(`\n${sig}: the run cannot be cut short cleanly; send it again to leave now (children may remain)`);
  });
}

const report = await runChaos({
  seed,
  durationMs: durationS * 1000,
  faults,
  teams: Number(values.teams),
  persisters,
  staleMs: Number(values['stale-ms']),
});
console.log(`\n${report.lines.join('\n')}`);
console.log(`\nreproduce: npm run chaos -- --duration ${durationS} --seed ${seed} --faults ${faults} --teams ${values.teams} --persisters ${persisters}`);
process.exit(report.ok ? 0 : 1);
