// `npm run cli -- verify [--stage ID]` and GET /api/v1/verify: every leaderboard recomputed from PostgreSQL's
// event log (LiveEvent → LiveSession → stage, team, city, university) and compared, entry by entry, with the
// live store's (or, where the live store is inside another process, with the minute aggregates).
import type { Database } from '../db/index';
import type { LiveStore } from '../live/store';
import { openLiveStore } from '../live/open-store';
import type { VerifyResult } from '../../contracts/verify';
import { compareBoards, computeRankings, DIMENSIONS, netBoards, type Boards, type LedgerLine, type Names } from '../domain/rankings';

/** Far above any contest's number of teams: the comparison needs every entry, not the top of the board. */
const ALL_ENTRIES = 1_000_000;

export type VerifySource = { kind: 'live-store'; store: LiveStore } | { kind: 'minute-aggregates' };

type SumRow = { stageId: number; teamId: number; cityCode: string; universityId: number; gross: string | number | null; refund: string | number | null };

const toLine = (r: SumRow): LedgerLine => ({
  stageId: r.stageId,
  teamId: r.teamId,
  cityCode: r.cityCode,
  universityId: r.universityId,
  grossFen: Number(r.gross ?? 0),
  refundFen: Number(r.refund ?? 0),
});

/** Per session, the order and refund events it recorded, summed (the session's current team and university). */
export async function eventLedger(db: Database, stageId?: number): Promise<LedgerLine[]> {
  const rows = await db.query<SumRow>(
    `SELECT s."stageId", s."teamId", s."cityCode", t."universityId",
            COALESCE(SUM(e."amountFen") FILTER (WHERE e."type" = 'order'), 0)::bigint AS gross,
            COALESCE(SUM(e."amountFen") FILTER (WHERE e."type" = 'refund'), 0)::bigint AS refund
       FROM "LiveEvent" e
       JOIN "LiveSession" s ON s.id = e."sessionId"
       JOIN "Team" t ON t.id = s."teamId"
      WHERE e."type" IN ('order', 'refund') AND ($1::int IS NULL OR s."stageId" = $1::int)
      GROUP BY s.id, s."stageId", s."teamId", s."cityCode", t."universityId"`,
    [stageId ?? null],
  );
  return rows.map(toLine);
}

/** The same sums from the per-minute aggregates the persister keeps beside the event log. */
export async function aggregateLedger(db: Database, stageId?: number): Promise<LedgerLine[]> {
  const rows = await db.query<SumRow>(
    `SELECT s."stageId", s."teamId", s."cityCode", t."universityId",
            COALESCE(SUM(m."gmvFen"), 0)::bigint AS gross, COALESCE(SUM(m."refundFen"), 0)::bigint AS refund
       FROM "MinuteAggregate" m
       JOIN "LiveSession" s ON s.id = m."sessionId"
       JOIN "Team" t ON t.id = s."teamId"
      WHERE ($1::int IS NULL OR s."stageId" = $1::int)
      GROUP BY s.id, s."stageId", s."teamId", s."cityCode", t."universityId"`,
    [stageId ?? null],
  );
  return rows.map(toLine);
}

/** Every board of the live store for these stages. */
export async function liveBoards(store: LiveStore, stageIds: readonly number[]): Promise<Boards> {
  const out: Boards = new Map();
  for (const stageId of stageIds) {
    const [team, city, university] = await Promise.all(DIMENSIONS.map((d) => store.leaderboard(stageId, d, ALL_ENTRIES)));
    const board = (rows: Array<{ id: string; netFen: number }> | undefined) => new Map((rows ?? []).map((r) => [r.id, r.netFen]));
    out.set(stageId, { team: board(team), city: board(city), university: board(university) });
  }
  return out;
}

export async function loadNames(db: Database): Promise<Names> {
  const [teams, unis, cities] = await Promise.all([
    db.prisma.team.findMany({ select: { id: true, name: true, cityCode: true, status: true } }),
    db.prisma.university.findMany({ select: { id: true, name: true, cityCode: true } }),
    db.prisma.city.findMany({ select: { code: true, short: true } }),
  ]);
  return {
    teams: new Map(teams.map((t) => [t.id, { name: t.name, cityCode: t.cityCode, status: t.status }])),
    universities: new Map(unis.map((u) => [u.id, { name: u.name, cityCode: u.cityCode }])),
    cities: new Map(cities.map((c) => [c.code, { short: c.short }])),
  };
}

/**
 * Recomputes and compares. The comparison counts every team, the disqualified included (the live store
 * counts what arrived, and leaving a team out of both sides would hide tampering with its events); the
 * rankings it returns leave disqualified teams out and list them in `exclusions`.
 */
export async function verifyLeaderboards(db: Database, source: VerifySource, opts: { stageId?: number; now: number }): Promise<VerifyResult> {
  // The backlog first: events acked by the store but not yet in PostgreSQL show up as differences.
  const backlog = source.kind === 'live-store' ? (await source.store.logInfo()).length : 0;
  const [lines, names, stages] = await Promise.all([
    eventLedger(db, opts.stageId),
    loadNames(db),
    db.prisma.stage.findMany({ where: opts.stageId ? { id: opts.stageId } : {}, select: { id: true }, orderBy: { id: 'asc' } }),
  ]);
  const stageIds = stages.map((s) => s.id);
  const recomputed = netBoards(lines);
  const compared =
    source.kind === 'live-store' ? await liveBoards(source.store, stageIds) : netBoards(await aggregateLedger(db, opts.stageId));
  const differences = compareBoards(compared, recomputed, names);
  const { rankings, exclusions } = computeRankings(lines, names);
  return {
    ok: differences.length === 0,
    against: source.kind,
    checkedAt: new Date(opts.now).toISOString(),
    stages: stageIds,
    differences,
    exclusions,
    rankings,
    backlog,
  };
}

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;
const SHOWN = 20;

/** The report an operator reads; the last line says OK or how many differences. */
export function formatVerify(r: VerifyResult, againstText: string): string[] {
  const out: string[] = [`verify: the event log (PostgreSQL) against ${againstText}`];
  if (r.backlog > 0) out.push(`note: ${r.backlog} log entries not yet written to PostgreSQL; differences may be in transit`);
  for (const s of r.rankings) {
    out.push(`stage ${s.stageId} (provisional, net of refunds):`);
    for (const dim of DIMENSIONS) {
      const board = s[dim];
      out.push(`  ${dim}: ${board.length} ranked`);
      for (const e of board.slice(0, SHOWN)) out.push(`    ${String(e.rank).padStart(3)}. ${e.name} [${e.id}] ${yuan(e.netFen)}`);
      if (board.length > SHOWN) out.push(`    … ${board.length - SHOWN} more`);
    }
  }
  for (const x of r.exclusions)
    out.push(`excluded: stage ${x.stageId} team ${x.teamId} ${x.name} (${x.cityCode}) ${x.status}, recorded ${yuan(x.netFen)}`);
  for (const d of r.differences)
    out.push(`DIFFERENCE stage ${d.stageId} ${d.dimension} ${d.id} ${d.name}: live ${d.live} fen, recomputed ${d.recomputed} fen (${d.live - d.recomputed > 0 ? '+' : ''}${d.live - d.recomputed})`);
  out.push(r.ok ? 'OK: every leaderboard matches the recorded events' : `FAILED: ${r.differences.length} difference(s)`);
  return out;
}

/** A Redis URL without its password, for printing. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    u.username = '';
    return u.toString();
  } catch {
    return 'redis';
  }
}

/**
 * What the CLI command checks. With REDIS_URL it compares against Redis, the live store every hub shares. Without it
 * the live store is inside the hub's own process, out of this one's reach, so the event log is compared with the
 * minute aggregates (both durable, in PostgreSQL) and the recomputed rankings are printed all the same.
 * The chaos harness and the demo-day test run this too, so they check exactly what an operator would.
 */
export async function verifyForOperator(
  db: Database,
  redisUrl: string | undefined,
  stageId?: number,
): Promise<{ result: VerifyResult; lines: string[]; note?: string }> {
  const now = Date.now();
  const opts = stageId === undefined ? { now } : { now, stageId };
  if (redisUrl) {
    const store = await openLiveStore(redisUrl);
    let result: VerifyResult;
    try {
      result = await verifyLeaderboards(db, { kind: 'live-store', store }, opts);
    } finally {
      await store.close();
    }
    return { result, lines: formatVerify(result, `the live leaderboards in Redis (${safeUrl(redisUrl)})`) };
  }
  const result = await verifyLeaderboards(db, { kind: 'minute-aggregates' }, opts);
  return {
    result,
    lines: formatVerify(result, 'the minute aggregates (PostgreSQL)'),
    note: 'REDIS_URL is not set: the in-process live store lives inside the hub, not here; comparing with the minute aggregates (PostgreSQL) instead. GET /api/v1/verify checks a running hub\'s own live store.',
  };
}

/** The CLI command: prints the report; 0 when every leaderboard matches, 1 on a difference. */
export async function runVerify(db: Database, redisUrl: string | undefined, stageId?: number): Promise<number> {
  const { result, lines, note } = await verifyForOperator(db, redisUrl, stageId);
  if (note) console.log(note);
  for (const line of lines) console.log(line);
  return result.ok ? 0 : 1;
}
