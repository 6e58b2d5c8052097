// `npm run bench:replay`: how long a hub on the in-process live store takes to replay PostgreSQL's event log at
// start (issue #7: the wall "recovers from a hub restart by itself"; the soak's check is 30 s from SIGKILL).
//
// Seeds the bench contest (500 teams, one live session each) in a fresh database (REPLAY_DB=pglite, the demo's
// default, in a temporary folder; or postgres), writes REPLAY_EVENTS events into "LiveEvent" with SQL (stats every
// second, an order every fifth event, a refund every hundredth, as the simulator's mix), then replays them into a new
// MemoryLiveStore, alternating the hub's replay (`rebuildFromDatabase`) with the former one kept here as the baseline
// (one Prisma findMany per session), REPLAY_RUNS times each. Both must leave the same totals and leaderboards.
//   REPLAY_EVENTS=1000000 npm run bench:replay
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Database } from '../server/db/index';
import { migrate } from '../server/db/migrate';
import { MemoryLiveStore } from '../server/live/memory-store';
import { rebuildFromDatabase, replayOrder, toEvent, type EventRow } from '../server/live/rebuild';
import type { SessionMeta, StoreEvent } from '../server/live/store';
import { createTestDatabase } from '../test/helpers/db';
import { seedContest } from './seed';
import { median } from './stats';
import { startHub, type HubProc } from './hub-start';
import { cleanupAll, freePort, stop } from './procs';

const EVENTS = Number(process.env['REPLAY_EVENTS'] ?? 1_000_000);
const RUNS = Number(process.env['REPLAY_RUNS'] ?? 3);
const KIND = (process.env['REPLAY_DB'] ?? 'pglite') as 'pglite' | 'postgres';
const TEAMS = 500;
const CLIENT_DIR = path.resolve(process.env['REPLAY_CLIENT_DIR'] ?? 'dist/client');

const say = (line: string) => console.log(`[replay ${((Date.now() - t0) / 1000).toFixed(0).padStart(3)}s] ${line}`);
const t0 = Date.now();

/** Stats every second per session; every 5th event an order, every 100th a refund of the order 5 events before. */
const FILL_SQL = `
INSERT INTO "LiveEvent" ("sessionId", "eventId", "type", "source", "at", "receivedAt", online, views, viewers, likes,
  comments, shares, followers, "orderId", quantity, "amountFen", "productId", "productName", "buyerRef")
SELECT s.id, 'e' || i,
  (CASE WHEN i % 100 = 0 THEN 'refund' WHEN i % 5 = 0 THEN 'order' ELSE 'stats' END)::"EventType",
  'collector'::"EventSource",
  $2::timestamp + i * interval '1 second', $2::timestamp + i * interval '1 second' + interval '40 milliseconds',
  CASE WHEN i % 5 <> 0 THEN 50 + (i * 7 + s.id) % 300 END,
  CASE WHEN i % 5 <> 0 THEN i * 3 END,
  CASE WHEN i % 5 <> 0 THEN i * 2 END,
  CASE WHEN i % 5 <> 0 THEN i * 4 END,
  CASE WHEN i % 5 <> 0 THEN i END,
  CASE WHEN i % 5 <> 0 THEN i / 10 END,
  CASE WHEN i % 5 <> 0 THEN i / 20 END,
  CASE WHEN i % 100 = 0 THEN 'o' || (i - 5) WHEN i % 5 = 0 THEN 'o' || i END,
  CASE WHEN i % 5 = 0 AND i % 100 <> 0 THEN 1 + i % 3 END,
  CASE WHEN i % 100 = 0 THEN 500 WHEN i % 5 = 0 THEN 2990 + (i % 7) * 1000 END,
  CASE WHEN i % 5 = 0 AND i % 100 <> 0 THEN 'P1' END,
  CASE WHEN i % 5 = 0 AND i % 100 <> 0 THEN '南丰蜜桔' END,
  CASE WHEN i % 5 = 0 AND i % 100 <> 0 THEN 'b' || (i * 13 + s.id) % 997 END
FROM "LiveSession" s, generate_series($3::int, $4::int) AS i
WHERE s.id = ANY($1::int[])`;

/** The replay as it was before: one Prisma findMany per session, 500-event batches. */
async function formerReplay(db: Database, store: MemoryLiveStore, sessionIds: number[]): Promise<number> {
  let events = 0;
  const sessions = await db.prisma.liveSession.findMany({
    where: { id: { in: sessionIds } },
    select: { id: true, stageId: true, teamId: true, cityCode: true, team: { select: { universityId: true } } },
    orderBy: { id: 'asc' },
  });
  let pending: StoreEvent[] = [];
  for (const s of sessions) {
    const meta: SessionMeta = { sessionId: s.id, stageId: s.stageId, teamId: s.teamId, cityCode: s.cityCode, universityId: s.team.universityId };
    const rows = await db.prisma.liveEvent.findMany({ where: { sessionId: s.id } });
    const asRows: EventRow[] = rows.map((r) => ({ ...r, at: r.at.getTime(), receivedAt: r.receivedAt.getTime() }));
    for (const row of replayOrder(asRows)) {
      pending.push({ event: toEvent(row), atMs: row.at, receivedAt: row.receivedAt, source: row.source, meta });
      events++;
      if (pending.length >= 500) {
        await store.applyBatch(pending, { durable: false });
        pending = [];
      }
    }
  }
  if (pending.length) await store.applyBatch(pending, { durable: false });
  return events;
}

async function fingerprint(store: MemoryLiveStore, stageId: number): Promise<string> {
  const totals = await store.stageTotals(stageId);
  const boards = await Promise.all((['team', 'city', 'university'] as const).map((d) => store.leaderboard(stageId, d, 1000)));
  return JSON.stringify({ totals, boards });
}

async function main(): Promise<void> {
  let dataDir: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  let db: Database;
  if (KIND === 'pglite') {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'gy-replay-'));
    db = await openDatabase({ dataDir: path.join(dataDir, 'db') });
  } else {
    const target = await createTestDatabase();
    drop = target.drop;
    db = await openDatabase({ url: target.url });
  }
  try {
    await migrate(db);
    const now = Date.now();
    const contest = await seedContest(db, { teams: TEAMS, now });
    const stage = await db.prisma.stage.findFirstOrThrow({ select: { id: true } });
    const perSession = Math.ceil(EVENTS / contest.sessionIds.length);
    const from = new Date(now - 9 * 60_000 - perSession * 1000).toISOString().replace('T', ' ').replace('Z', '');
    const chunk = 200;
    for (let i = 1; i <= perSession; i += chunk) {
      await db.query(FILL_SQL, [contest.sessionIds, from, i, Math.min(perSession, i + chunk - 1)]);
    }
    const n = (await db.query<{ n: string }>('SELECT count(*) AS n FROM "LiveEvent"'))[0]?.n ?? '0';
    say(`${KIND}: ${TEAMS} sessions, ${Number(n).toLocaleString('en')} events written (${perSession} per session)`);

    const hub: number[] = [];
    const former: number[] = [];
    let reference: string | null = null;
    for (let run = 1; run <= RUNS; run++) {
      for (const which of ['hub', 'former'] as const) {
        const store = new MemoryLiveStore();
        global.gc?.();
        const started = performance.now();
        let events: number;
        if (which === 'hub') {
          const report = await rebuildFromDatabase(db, store, { now, apply: (b) => store.applyBatch(b, { durable: false }) });
          events = report.events;
        } else {
          events = await formerReplay(db, store, contest.sessionIds);
        }
        const ms = performance.now() - started;
        (which === 'hub' ? hub : former).push(ms);
        const fp = await fingerprint(store, stage.id);
        reference ??= fp;
        if (fp !== reference) throw new Error(`${which} replay (run ${run}) left different totals or leaderboards`);
        const rss = process.memoryUsage().rss / 2 ** 20;
        say(`run ${run} ${which.padEnd(6)} ${events.toLocaleString('en')} events in ${(ms / 1000).toFixed(2)} s (${((ms * 1000) / events).toFixed(1)} µs/event), rss ${rss.toFixed(0)} MB`);
        await store.close();
      }
    }
    const h = median(hub);
    const f = median(former);

    // A whole hub process on this data, as a restart on the embedded default finds it (PGlite only: a PostgreSQL
    // hub would need the database URL, and its start-up is not what the soak measured).
    const starts: HubProc['start'][] = [];
    if (dataDir) {
      await db.close();
      const port = await freePort();
      const env: NodeJS.ProcessEnv = { ...process.env };
      for (const k of ['REDIS_URL', 'DATABASE_URL', 'NODE_OPTIONS', 'PERSISTER']) delete env[k];
      Object.assign(env, { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', SERVE_CLIENT: 'true', HUB_ID: 'replay-bench' });
      for (let run = 1; run <= RUNS; run++) {
        const proc = await startHub({ port, env, clientDir: CLIENT_DIR });
        starts.push(proc.start);
        say(
          `hub start ${run}: replayed ${proc.start.replay?.['events'] ?? '—'} events in ${proc.start.replay?.['ms'] ?? '—'} ms; ` +
            `replayed ${proc.start.replayedAfterMs} ms, listening ${proc.start.listeningAfterMs} ms, healthy ${proc.start.healthyAfterMs} ms after the spawn`,
        );
        await stop(proc.child);
      }
    }
    console.log(
      `\nreplay of ${Number(n).toLocaleString('en')} events (${KIND}), medians of ${RUNS}: hub ${(h / 1000).toFixed(2)} s, ` +
        `former per-session replay ${(f / 1000).toFixed(2)} s; hub/former ×${(h / f).toFixed(2)}`,
    );
    if (starts.length) {
      const m = (pick: (s: HubProc['start']) => number | null | undefined) => (median(starts.map((s) => pick(s) ?? NaN)) / 1000).toFixed(1);
      console.log(
        `hub process on this data, spawn → replayed / listening / healthy: ${m((s) => s.replayedAfterMs)} / ${m((s) => s.listeningAfterMs)} / ` +
          `${m((s) => s.healthyAfterMs)} s (its replay alone ${m((s) => s.replay?.['ms'])} s)`,
      );
    }
  } finally {
    await db.close();
    await drop?.();
    await cleanupAll();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
