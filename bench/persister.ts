// `npm run bench:persister`: what writing the durable log into PostgreSQL costs per event, in the hub's process and
// in PostgreSQL, against the persister of an earlier commit run in the same go (the machine is shared and noisy:
// the figures are CPU time, medians, and the ratio per pair of rounds).
//
// Seeds the bench contest (500 teams, one live session each) in a fresh PostgreSQL database (PERSISTER_DB=pglite
// for the embedded one), then alternates rounds of the current persister and the baseline's. A round writes
// PERSISTER_WRITES times 50 log entries of 100 events (80 % stats snapshots, 20 % orders, as the throughput
// batches of `npm run bench`; every id unique), as the persister's loop does, each write followed by the next one.
// The baseline is the persister at PERSISTER_BASELINE (a git ref; default the commit before the JSON write),
// checked out in a temporary git worktree. After the rounds the minute aggregates must equal the ones recomputed
// from the whole event log.
//   npm run bench:persister
//   PERSISTER_ROUNDS=5 PERSISTER_WRITES=10 PERSISTER_BASELINE=4867a8c npm run bench:persister
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openDatabase, type Database } from '../server/db/index';
import { migrate } from '../server/db/migrate';
import { createLogger } from '../server/logger';
import { MemoryLiveStore } from '../server/live/memory-store';
import { Persister } from '../server/live/persister';
import { logEntry, type LogEntry, type SessionMeta, type StoreEvent } from '../server/live/store';
import { createTestDatabase } from '../test/helpers/db';
import { MINUTE_AGGREGATES } from '../test/helpers/aggregates';
import { Traffic } from './events';
import { cpuSeconds } from './procs';
import { seedContest, type BenchContest } from './seed';
import { median } from './stats';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Number(process.env['PERSISTER_ROUNDS'] ?? 5);
const WRITES = Number(process.env['PERSISTER_WRITES'] ?? 10);
const KIND = (process.env['PERSISTER_DB'] ?? 'postgres') as 'pglite' | 'postgres';
const BASELINE = process.env['PERSISTER_BASELINE'] ?? '4867a8c';
const ENTRIES = 50;
const BATCH = 100;

const t0 = Date.now();
const say = (line: string) => console.log(`[persister ${((Date.now() - t0) / 1000).toFixed(0).padStart(3)}s] ${line}`);

/** What a persister is to this bench: a write of log entries. */
interface Writer {
  write(entries: LogEntry[]): Promise<void>;
}

/** Entries the current persister reads (json, count) and the baseline's (events), in one object. */
type AnyEntry = LogEntry & { events: StoreEvent[] };

async function metaOf(db: Database): Promise<Map<number, SessionMeta>> {
  const rows = await db.query<{ id: number; stageId: number; teamId: number; cityCode: string; universityId: number }>(
    `SELECT s.id, s."stageId", s."teamId", t."cityCode", t."universityId" FROM "LiveSession" s JOIN "Team" t ON t.id = s."teamId"`,
  );
  return new Map(rows.map((r) => [r.id, { sessionId: r.id, stageId: r.stageId, teamId: r.teamId, cityCode: r.cityCode, universityId: r.universityId }]));
}

/** One write's worth of log entries: each 100 events of one city, as a collector key is scoped to its city. */
function entries(contest: BenchContest, meta: Map<number, SessionMeta>, traffic: Traffic, round: string): AnyEntry[] {
  const now = Date.now();
  const out: AnyEntry[] = [];
  for (let i = 0; i < ENTRIES; i++) {
    const city = contest.cities[i % contest.cities.length]!;
    const events: StoreEvent[] = [];
    for (let j = 0; j < BATCH; j++) {
      const sid = city.sessionIds[(i * BATCH + j) % city.sessionIds.length]!;
      const atMs = now - 30_000 + j * 100;
      const at = new Date(atMs).toISOString();
      const event = j % 5 === 4 ? traffic.order(city, sid, at) : traffic.stats(sid, at);
      events.push({ event, atMs, receivedAt: now, source: 'collector', meta: meta.get(sid)! });
    }
    out.push({ ...logEntry(`${round}-${i}`, events), events });
  }
  return out;
}

/** PostgreSQL's backends serving this database, and the CPU they used so far. */
async function postgresCpu(admin: pg.Client, database: string): Promise<Map<number, number>> {
  const r = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
  return new Map(r.rows.map((row) => [row.pid, cpuSeconds(row.pid)]));
}

interface Round {
  hubUs: number;
  pgUs: number;
  ms: number;
}

async function round(writer: Writer, work: AnyEntry[][], pgCpu: () => Promise<Map<number, number>>): Promise<Round> {
  const events = work.length * ENTRIES * BATCH;
  const pg0 = await pgCpu();
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  for (const w of work) await writer.write(w);
  const ms = performance.now() - t;
  const cpu = process.cpuUsage(cpu0);
  const pg1 = await pgCpu();
  let pgSeconds = 0;
  for (const [pid, c0] of pg0) {
    const c1 = pg1.get(pid);
    if (c1 !== undefined && Number.isFinite(c1 - c0)) pgSeconds += c1 - c0;
  }
  return { hubUs: (cpu.user + cpu.system) / events, pgUs: (pgSeconds * 1e6) / events, ms };
}

/** The baseline's persister, from a worktree of PERSISTER_BASELINE sharing this checkout's node_modules. */
async function baselinePersister(store: MemoryLiveStore, db: Database, dir: string): Promise<Writer> {
  execFileSync('git', ['worktree', 'add', '--detach', dir, BASELINE], { cwd: ROOT, stdio: 'ignore' });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  const mod = (await import(path.join(dir, 'server/live/persister.ts'))) as { Persister: new (...args: unknown[]) => Writer };
  return new mod.Persister(store, db, createLogger({ LOG_LEVEL: 'silent', HUB_ID: 'bench' }), 'baseline');
}


async function main(): Promise<void> {
  const target = KIND === 'postgres' ? await createTestDatabase() : null;
  const dataDir = KIND === 'pglite' ? mkdtempSync(path.join(os.tmpdir(), 'gy-persister-')) : null;
  const worktree = mkdtempSync(path.join(os.tmpdir(), 'gy-persister-base-'));
  rmSync(worktree, { recursive: true });
  let db: Database | undefined;
  let admin: pg.Client | undefined;
  try {
    db = await openDatabase(target ? { url: target.url } : { dataDir: dataDir! });
    await migrate(db);
    const contest = await seedContest(db, { teams: 500, now: Date.now() });
    const meta = await metaOf(db);
    say(`${KIND} database, ${meta.size} sessions; ${ROUNDS} rounds each of ${WRITES} writes of ${ENTRIES} entries × ${BATCH} events`);
    const store = new MemoryLiveStore();
    const current = new Persister(store, db, createLogger({ LOG_LEVEL: 'silent', HUB_ID: 'bench' }), 'current');
    const baseline = await baselinePersister(store, db, worktree);
    let pgCpu: () => Promise<Map<number, number>> = async () => new Map();
    if (target) {
      admin = new pg.Client({ connectionString: target.url });
      await admin.connect();
      pgCpu = () => postgresCpu(admin!, target.name);
    }
    const traffic = new Traffic(`p${process.pid}`);
    const rows: Array<{ current: Round; baseline: Round }> = [];
    // A warm-up write of each, so neither pays the first prepare or JIT.
    await current.write(entries(contest, meta, traffic, 'wc'));
    await baseline.write(entries(contest, meta, traffic, 'wb'));
    for (let r = 0; r < ROUNDS; r++) {
      const make = (tag: string) => Array.from({ length: WRITES }, (_, w) => entries(contest, meta, traffic, `${tag}${r}-${w}`));
      // Alternate who goes first, so neither always meets the larger table.
      const [a, b] = r % 2 === 0 ? [current, baseline] : [baseline, current];
      const first = await round(a, make(`a`), pgCpu);
      const second = await round(b, make(`b`), pgCpu);
      const pair = r % 2 === 0 ? { current: first, baseline: second } : { current: second, baseline: first };
      rows.push(pair);
      say(`round ${r + 1}: current hub ${pair.current.hubUs.toFixed(1)} µs/event, postgres ${pair.current.pgUs.toFixed(1)}, ${pair.current.ms.toFixed(0)} ms; ` +
        `baseline hub ${pair.baseline.hubUs.toFixed(1)}, postgres ${pair.baseline.pgUs.toFixed(1)}, ${pair.baseline.ms.toFixed(0)} ms`);
    }
    // The baseline may predate onlineLastAt/onlineLastId (its rows leave them empty): compare what both keep.
    const common = (rows: Array<Record<string, unknown>>) => JSON.stringify(rows.map(({ onlineLastAt: _a, onlineLastId: _i, ...r }) => r));
    const [table, oracle] = [await db.query(MINUTE_AGGREGATES.TABLE), await db.query(MINUTE_AGGREGATES.ORACLE)];
    if (common(table) !== common(oracle)) throw new Error(`minute aggregates differ from the ones recomputed from the event log`);
    const m = (f: (x: { current: Round; baseline: Round }) => number) => median(rows.map(f));
    const events = WRITES * ENTRIES * BATCH;
    console.log(`
persister write, ${events} events per round, medians of ${ROUNDS} rounds (${KIND}; baseline ${BASELINE})
  hub CPU µs/event        current ${m((x) => x.current.hubUs).toFixed(1)}   baseline ${m((x) => x.baseline.hubUs).toFixed(1)}   ratio ×${m((x) => x.current.hubUs / x.baseline.hubUs).toFixed(2)}
  PostgreSQL CPU µs/event current ${m((x) => x.current.pgUs).toFixed(1)}   baseline ${m((x) => x.baseline.pgUs).toFixed(1)}   ratio ×${KIND === 'postgres' ? m((x) => x.current.pgUs / x.baseline.pgUs).toFixed(2) : '—'}
  wall ms per round       current ${m((x) => x.current.ms).toFixed(0)}   baseline ${m((x) => x.baseline.ms).toFixed(0)}   ratio ×${m((x) => x.current.ms / x.baseline.ms).toFixed(2)}
  minute aggregates equal the event log's: yes`);
  } finally {
    await admin?.end();
    await db?.close();
    await target?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    try {
      execFileSync('git', ['worktree', 'remove', '--force', worktree], { cwd: ROOT, stdio: 'ignore' });
    } catch {
      rmSync(worktree, { recursive: true, force: true });
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
