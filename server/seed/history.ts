// The demo's past: the running stage's earlier days, one ended session per team and day, with a full simulated
// event history written straight into LiveEvent (and MinuteAggregate, recomputed as the persister does) and its
// analysis computed; some teams reflected, some cities commented. Idempotent and resumable: sessions are created
// once per (team, day), and a session is filled only while it has no analysis record.
import type { Database } from '../db/index';
import type { Clock } from '../clock';
import type { EventRow } from '../domain/analysis';
import { computeAnalysis } from '../domain/analysis';
import { DAY, HOUR, MINUTE, shanghaiDayStart } from '../domain/time';
import type { Prisma } from '../db/generated/client.ts';
import type { IngestEvent } from '../../contracts/ingest';
import { SessionModel, type SimSession } from '../sim/model';
import { pick, rng } from './random';

/** Days of history before today, by default; tests ask for fewer (`SeedOptions.historyDays`). */
export const PAST_DAYS = 3;
const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as Prisma.InputJsonValue;
const SESSION_MS = 90 * MINUTE;
const SEED = 20241021;
/** Sessions per database write: big enough to be quick, small enough for one transaction's parameters. */
const CHUNK = 40;

const WENT_WELL = ['开场福利留人效果好，前十分钟在线稳步上涨', '主推品讲解到位，上链接后转化明显', '互动节奏好，评论区活跃', '场控配合默契，库存和链接切换及时'];
const WENT_WRONG = ['中段冷场，在线人数下滑', '网络卡顿，断流约三分钟', '商品讲解过长，上链接偏晚', '价格说明不清，退款偏多'];
const TO_CHANGE = ['每 10 分钟安排一次福利互动', '提前测试网络和备用设备', '讲解控制在 3 分钟内，先上链接再讲细节', '开播前统一价格话术'];

export async function seedHistory(db: Database, clock: Clock, days = PAST_DAYS): Promise<Record<string, number>> {
  const { prisma } = db;
  const today = shanghaiDayStart(clock.now());
  if (days <= 0) return {};
  const stage = await prisma.stage.findFirst({
    where: { startsAt: { lte: new Date(today + 12 * HOUR) }, endsAt: { gte: new Date(today + 12 * HOUR) } },
  });
  if (!stage) return {};
  const first = Math.max(today - days * DAY, shanghaiDayStart(stage.startsAt.getTime()));
  const created = { 'past sessions': await createPastSessions(db, stage.id, first, today), 'past events': 0, 'analysis records': 0 };

  const pending = await prisma.liveSession.findMany({
    where: { stageId: stage.id, plannedStart: { gte: new Date(first), lt: new Date(today) }, status: { in: ['scheduled', 'ended'] }, analysis: null },
    select: { id: true, teamId: true, cityCode: true, plannedStart: true, plannedEnd: true },
    orderBy: { id: 'asc' },
  });
  if (!pending.length) return created;
  const products = await prisma.product.findMany({ where: { active: true }, orderBy: { id: 'asc' } });
  const users = await prisma.user.findMany({ where: { role: { in: ['team', 'city'] } }, select: { id: true, role: true, teamId: true, cityCode: true } });
  const teamUser = new Map(users.filter((u) => u.role === 'team' && u.teamId !== null).map((u) => [u.teamId!, u.id]));
  const cityUser = new Map(users.filter((u) => u.role === 'city' && u.cityCode !== null).map((u) => [u.cityCode!, u.id]));

  for (let i = 0; i < pending.length; i += CHUNK) {
    const chunk = pending.slice(i, i + CHUNK);
    const batch: EventRow[] = [];
    const sessionOf: number[] = [];
    const never: number[] = [];
    const ended: Array<{ id: number; start: string; end: string }> = [];
    const records: Prisma.AnalysisRecordCreateManyInput[] = [];
    for (const s of chunk) {
      const sim: SimSession = {
        id: s.id, cityCode: s.cityCode, teamId: s.teamId, plannedStart: s.plannedStart.getTime(), plannedEnd: s.plannedEnd.getTime(),
        products: products.filter((p) => p.cityCode === s.cityCode).map((p) => ({ id: String(p.id), name: p.name, priceFen: p.priceFen })),
      };
      const model = new SessionModel(sim, SEED);
      // One step past the end: stats older than two minutes come thinned to one a minute, which keeps this fast.
      const events = model.step(model.plan.endsAt + MINUTE);
      if (!events.length) {
        never.push(s.id);
        continue;
      }
      // Collectors deliver a second or two late, in event order.
      const rows = events.map((ev) => toRow(ev, Date.parse(ev.at), Date.parse(ev.at) + 1500));
      for (const row of rows) {
        batch.push(row);
        sessionOf.push(s.id);
      }
      const at = rows.map((r) => r.at.getTime());
      const actualStart = new Date(Math.min(...at));
      const actualEnd = new Date(Math.max(...at));
      ended.push({ id: s.id, start: actualStart.toISOString(), end: actualEnd.toISOString() });
      const computedAt = actualEnd.getTime() + 2 * MINUTE;
      const a = computeAnalysis(rows, { status: 'ended', actualStart, actualEnd }, computedAt);
      // Two in three teams reflected; half of those got the city's comment: the completeness page has work to show.
      const r = rng(s.id * 31);
      const reflectedAt = computedAt + HOUR;
      records.push({
        sessionId: s.id, computedAt: new Date(computedAt), metrics: json(a.metrics), curves: json({ points: a.curve }), products: json(a.products), moments: json(a.moments),
        ...(s.id % 3 !== 0
          ? {
              wentWell: pick(r, WENT_WELL), wentWrong: pick(r, WENT_WRONG), toChange: pick(r, TO_CHANGE),
              keepProducts: '本场销量前三的商品', dropProducts: '无成交的商品', reflectedBy: teamUser.get(s.teamId) ?? null, reflectedAt: new Date(reflectedAt),
              ...(s.id % 2 === 0 ? { cityComment: '复盘到位，下一场注意开场节奏和福利安排。', commentedBy: cityUser.get(s.cityCode) ?? null, commentedAt: new Date(reflectedAt + HOUR) } : {}),
            }
          : {}),
      });
    }
    // One transaction per chunk: a chunk is either all there (with its records) or picked up again next run.
    await prisma.$transaction(async (tx) => {
      if (batch.length) await writeEvents(tx, batch, sessionOf, ended.map((e) => e.id));
      if (never.length) await tx.liveSession.updateMany({ where: { id: { in: never } }, data: { status: 'cancelled' } });
      if (ended.length) await tx.$executeRawUnsafe(END_SQL, JSON.stringify(ended));
      if (records.length) await tx.analysisRecord.createMany({ data: records, skipDuplicates: true });
    }, { timeout: 60_000 });
    created['past events'] += batch.length;
    created['analysis records'] += records.length;
  }
  return created;
}

function toRow(ev: IngestEvent, atMs: number, receivedAt: number): EventRow {
  const base: EventRow = {
    eventId: ev.id, type: ev.type, at: new Date(atMs), receivedAt: new Date(receivedAt), online: null, views: null, viewers: null, likes: null,
    comments: null, shares: null, followers: null, orderId: null, quantity: null, amountFen: null, productId: null, productName: null, buyerRef: null,
  };
  if (ev.type === 'stats')
    return { ...base, online: ev.online, views: ev.views, viewers: ev.viewers ?? null, likes: ev.likes ?? null, comments: ev.comments ?? null, shares: ev.shares ?? null, followers: ev.followers ?? null };
  if (ev.type === 'order')
    return { ...base, orderId: ev.orderId, quantity: ev.quantity, amountFen: ev.amountFen, productId: ev.productId ?? null, productName: ev.productName ?? null, buyerRef: ev.buyerRef ?? null };
  return { ...base, orderId: ev.orderId, amountFen: ev.amountFen };
}

/**
 * The events as the persister would write them (idempotent by (sessionId, eventId), like its createMany with
 * skipDuplicates), then the sessions' minute aggregates by the persister's aggregate query. One jsonb insert:
 * Prisma's createMany over the PGlite adapter costs about a millisecond a row, minutes for a demo's history.
 */
async function writeEvents(tx: Prisma.TransactionClient, rows: EventRow[], sessionOf: number[], sessionIds: number[]): Promise<void> {
  const data = rows.map((r, i) => ({ ...r, sessionId: sessionOf[i], at: r.at.toISOString(), receivedAt: r.receivedAt.toISOString() }));
  await tx.$executeRawUnsafe(INSERT_SQL, JSON.stringify(data));
  await tx.$executeRawUnsafe(AGGREGATE_SQL, JSON.stringify(sessionIds));
}

const END_SQL = `
UPDATE "LiveSession" s SET "status" = 'ended', "actualStart" = x."start" AT TIME ZONE 'UTC', "actualEnd" = x."end" AT TIME ZONE 'UTC',
  "updatedAt" = now() AT TIME ZONE 'UTC'
FROM jsonb_to_recordset($1::jsonb) AS x("id" int, "start" timestamptz, "end" timestamptz)
WHERE s."id" = x."id"`;

const INSERT_SQL = `
INSERT INTO "LiveEvent" ("sessionId", "eventId", "type", "source", "at", "receivedAt", "online", "views", "viewers", "likes",
  "comments", "shares", "followers", "orderId", "quantity", "amountFen", "productId", "productName", "buyerRef")
SELECT x."sessionId", x."eventId", x."type"::"EventType", 'collector', x."at" AT TIME ZONE 'UTC', x."receivedAt" AT TIME ZONE 'UTC',
  x."online", x."views", x."viewers", x."likes", x."comments", x."shares", x."followers", x."orderId", x."quantity", x."amountFen",
  x."productId", x."productName", x."buyerRef"
FROM jsonb_to_recordset($1::jsonb) AS x("sessionId" int, "eventId" text, "type" text, "at" timestamptz, "receivedAt" timestamptz,
  "online" int, "views" int, "viewers" int, "likes" int, "comments" int, "shares" int, "followers" int, "orderId" text,
  "quantity" int, "amountFen" int, "productId" text, "productName" text, "buyerRef" text)
ON CONFLICT ("sessionId", "eventId") DO NOTHING`;

// server/live/persister.ts WRITE_SQL's aggregate columns, over whole sessions instead of fresh events.
const AGGREGATE_SQL = `
INSERT INTO "MinuteAggregate" ("sessionId", "minute", "onlineMax", "onlineLast", "onlineLastAt", "onlineLastId",
  "views", "viewers", "likes", "orders", "units", "gmvFen", "refunds", "refundFen")
SELECT e."sessionId", date_trunc('minute', e."at") AS m,
  COALESCE(MAX(e."online"), 0),
  COALESCE((array_agg(e."online" ORDER BY e."at" DESC, e."eventId" DESC) FILTER (WHERE e."type" = 'stats'))[1], 0),
  (array_agg(e."at" ORDER BY e."at" DESC, e."eventId" DESC) FILTER (WHERE e."type" = 'stats'))[1],
  (array_agg(e."eventId" ORDER BY e."at" DESC, e."eventId" DESC) FILTER (WHERE e."type" = 'stats'))[1],
  COALESCE(MAX(e."views"), 0),
  MAX(e."viewers"),
  COALESCE(MAX(e."likes"), 0),
  COUNT(*) FILTER (WHERE e."type" = 'order'),
  COALESCE(SUM(e."quantity") FILTER (WHERE e."type" = 'order'), 0),
  COALESCE(SUM(e."amountFen") FILTER (WHERE e."type" = 'order'), 0),
  COUNT(*) FILTER (WHERE e."type" = 'refund'),
  COALESCE(SUM(e."amountFen") FILTER (WHERE e."type" = 'refund'), 0)
FROM "LiveEvent" e
WHERE e."sessionId" IN (SELECT (jsonb_array_elements_text($1::jsonb))::int)
GROUP BY e."sessionId", m
ON CONFLICT ("sessionId", "minute") DO UPDATE SET
  "onlineMax" = EXCLUDED."onlineMax", "onlineLast" = EXCLUDED."onlineLast", "onlineLastAt" = EXCLUDED."onlineLastAt",
  "onlineLastId" = EXCLUDED."onlineLastId", "views" = EXCLUDED."views",
  "viewers" = EXCLUDED."viewers", "likes" = EXCLUDED."likes", "orders" = EXCLUDED."orders",
  "units" = EXCLUDED."units", "gmvFen" = EXCLUDED."gmvFen", "refunds" = EXCLUDED."refunds",
  "refundFen" = EXCLUDED."refundFen"`;

/** One 90-minute slot per eligible team on each past day it has none, on a free account of its city. */
async function createPastSessions(db: Database, stageId: number, first: number, today: number): Promise<number> {
  const { prisma } = db;
  const existing = await prisma.liveSession.findMany({
    where: { plannedStart: { gte: new Date(first), lt: new Date(today) } },
    select: { teamId: true, accountId: true, plannedStart: true, plannedEnd: true },
  });
  const had = new Set(existing.map((s) => `${s.teamId}:${shanghaiDayStart(s.plannedStart.getTime())}`));
  const booked = new Map<number, Array<[number, number]>>();
  const book = (id: number, span: [number, number]) => (booked.get(id) ?? booked.set(id, []).get(id)!).push(span);
  for (const s of existing) if (s.accountId) book(s.accountId, [s.plannedStart.getTime(), s.plannedEnd.getTime()]);
  const teams = await prisma.team.findMany({
    where: { status: 'active', members: { none: { onCamera: true, anchorFiling: { not: 'filed' } } } },
    orderBy: { id: 'asc' },
  });
  const accounts = await prisma.liveAccount.findMany({ where: { status: 'ok' }, orderBy: { id: 'asc' } });
  const rows = [];
  for (let day = first; day < today; day += DAY) {
    for (const [i, t] of teams.entries()) {
      if (had.has(`${t.id}:${day}`)) continue;
      // Evenings are prime time: slots from 09:00 to 21:30, spread by team and day.
      const start = day + (9 + ((i * 5 + Math.round(day / DAY)) % 12)) * HOUR + ((i * 7) % 4) * 15 * MINUTE;
      const end = start + SESSION_MS;
      const acc = accounts.find((a) => a.cityCode === t.cityCode && !(booked.get(a.id) ?? []).some(([bs, be]) => bs < end && start < be));
      if (!acc) continue;
      book(acc.id, [start, end]);
      rows.push({ stageId, teamId: t.id, cityCode: t.cityCode, accountId: acc.id, plannedStart: new Date(start), plannedEnd: new Date(end), checklist: 'approved' as const });
    }
  }
  if (rows.length) await prisma.liveSession.createMany({ data: rows });
  return rows.length;
}
