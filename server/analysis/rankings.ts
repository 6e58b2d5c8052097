// Stage rankings re-derived from the database: provisional from the LiveEvent log (net of refunds), verified
// from each session's verifiedGmvFen (the platform's export). Disqualified teams are out, and listed.
import type { Database } from '../db/index';
import type { RankingBasis, RankingDim, RankingItem, RankingsAnswer } from '../../contracts/analysis';

export interface SessionSales {
  gmvFen: number;
  refundFen: number;
  orders: number;
  units: number;
}

/** Gross, refunds, orders and units per session of the LiveEvent log, for sessions matching `where` SQL. */
export async function salesBySession(db: Database, filter: { stageId?: number; cityCode?: string }): Promise<Map<number, SessionSales>> {
  const cond: string[] = [];
  const params: unknown[] = [];
  if (filter.stageId !== undefined) cond.push(`s."stageId" = $${params.push(filter.stageId)}`);
  if (filter.cityCode !== undefined) cond.push(`s."cityCode" = $${params.push(filter.cityCode)}`);
  const rows = await db.query<{ sessionId: number; gmv: string | null; refund: string | null; orders: string; units: string | null }>(
    `SELECT e."sessionId",
       SUM(e."amountFen") FILTER (WHERE e."type" = 'order') AS gmv,
       SUM(e."amountFen") FILTER (WHERE e."type" = 'refund') AS refund,
       COUNT(*) FILTER (WHERE e."type" = 'order') AS orders,
       SUM(e."quantity") FILTER (WHERE e."type" = 'order') AS units
     FROM "LiveEvent" e JOIN "LiveSession" s ON s."id" = e."sessionId"
     WHERE e."type" IN ('order', 'refund') ${cond.length ? `AND ${cond.join(' AND ')}` : ''}
     GROUP BY e."sessionId"`,
    params,
  );
  return new Map(rows.map((r) => [Number(r.sessionId), { gmvFen: Number(r.gmv ?? 0), refundFen: Number(r.refund ?? 0), orders: Number(r.orders), units: Number(r.units ?? 0) }]));
}

const NOTE: Record<RankingBasis, string> = {
  provisional: '暂定口径：直播事件日志中的订单金额减退款（净成交额）。Provisional: net GMV (orders − refunds) from the live event log.',
  verified: '核验口径：邮乐平台订单导出核对后的成交额；未核对的场次计 0。Verified: GMV from the reconciled Youle order export; sessions not yet reconciled count 0.',
};

export async function rankings(db: Database, stageId: number, basis: RankingBasis, dim: RankingDim): Promise<RankingsAnswer> {
  const { prisma } = db;
  const [sessions, sales] = await Promise.all([
    prisma.liveSession.findMany({
      where: { stageId, status: { in: ['live', 'ended'] } },
      select: { id: true, verifiedGmvFen: true, team: { select: { id: true, name: true, cityCode: true, status: true, university: { select: { id: true, name: true } }, city: { select: { name: true } } } } },
    }),
    basis === 'provisional' ? salesBySession(db, { stageId }) : Promise.resolve(new Map<number, SessionSales>()),
  ]);
  const groups = new Map<string, Omit<RankingItem, 'rank'>>();
  const excluded = new Map<number, RankingsAnswer['excluded'][number]>();
  for (const s of sessions) {
    const t = s.team;
    const sale = sales.get(s.id);
    const value = basis === 'provisional' ? (sale ? sale.gmvFen - sale.refundFen : 0) : (s.verifiedGmvFen ?? 0);
    if (t.status === 'disqualified') {
      const x = excluded.get(t.id) ?? { teamId: t.id, name: t.name, cityCode: t.cityCode, gmvFen: 0 };
      x.gmvFen += value;
      excluded.set(t.id, x);
      continue;
    }
    const key = dim === 'team' ? String(t.id) : dim === 'city' ? t.cityCode : String(t.university.id);
    const g = groups.get(key) ?? {
      id: key,
      name: dim === 'team' ? t.name : dim === 'city' ? t.city.name : t.university.name,
      ...(dim !== 'city' ? { cityCode: t.cityCode } : {}),
      gmvFen: 0,
      sessions: 0,
      ...(basis === 'verified' ? { verifiedSessions: 0 } : {}),
    };
    g.gmvFen += value;
    g.sessions += 1;
    if (basis === 'verified' && s.verifiedGmvFen !== null) g.verifiedSessions = (g.verifiedSessions ?? 0) + 1;
    groups.set(key, g);
  }
  const sorted = [...groups.values()].sort((a, b) => b.gmvFen - a.gmvFen || a.name.localeCompare(b.name));
  // Equal totals share a rank (1, 2, 2, 4).
  const items: RankingItem[] = [];
  sorted.forEach((g, i) => {
    const prev = items[i - 1];
    items.push({ ...g, rank: prev && prev.gmvFen === g.gmvFen ? prev.rank : i + 1 });
  });
  return { stageId, basis, dim, note: NOTE[basis], items, excluded: [...excluded.values()].sort((a, b) => b.gmvFen - a.gmvFen) };
}
