// The short fault run for CI (issue #8): two real hubs, our own redis-server (AOF always) and a fresh
// PostgreSQL database; ~8 faults (every kind at least once) over ~60 s of simulated collectors; then the totals
// in Redis, in PostgreSQL and on a province dashboard must equal the totals of the unique events sent, exactly,
// and `npm run cli -- verify` against the run's PostgreSQL and Redis must report zero differences.
// The long run is `npm run chaos` (scripts/chaos.ts).
// @vitest-environment node
import { describe, expect, test } from 'vitest';
import { runChaos } from './harness.ts';

const SEED = Number(process.env['CHAOS_SEED'] ?? 20261208);

describe('chaos (short)', () => {
  test(
    'hub kills, Redis restarts, persister kills and dashboard drops leave every total exact',
    async () => {
      const report = await runChaos({ seed: SEED, durationMs: 60_000, faults: 8, teams: 30, persisters: 'one', staleMs: 3000, log: () => {} });
      console.log(report.lines.join('\n'));
      for (const kind of Object.keys(report.faults) as Array<keyof typeof report.faults>) expect(report.faults[kind], kind).toBeGreaterThanOrEqual(1);
      expect(report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`)).toEqual([]);
      expect(report.verify).toMatchObject({ ok: true, differences: 0, backlog: 0 });
      expect(report.verify!.ranked).toBeGreaterThan(0); // equal to the teams that sold: the harness checks it
      expect(report.ok).toBe(true);
    },
    300_000,
  );
});
