// Analysis records in the database: computing a session's record from its LiveEvent rows (never Redis),
// storing it without touching the team's reflection or the city's comment, and building the full DTO.
import type { Database } from '../db/index';
import type { Prisma } from '../db/generated/client.ts';
import {
  METRIC_DEFINITIONS,
  type AnalysisDto,
  type AnalysisMetrics,
  type ComputedAnalysis,
  type CurveMark,
  type CurvePoint,
  type Moments,
  type ProductRank,
} from '../../contracts/analysis';
import { compareMetrics, completenessOf, computeAnalysis, type CohortEntry, type EventRow } from '../domain/analysis';

type Client = Database['prisma'];

export const EVENT_COLUMNS = {
  eventId: true, type: true, at: true, receivedAt: true, online: true, views: true, viewers: true, likes: true,
  comments: true, shares: true, followers: true, orderId: true, quantity: true, amountFen: true, productId: true,
  productName: true, buyerRef: true,
} as const;

export async function loadEvents(prisma: Client, sessionId: number): Promise<EventRow[]> {
  return prisma.liveEvent.findMany({ where: { sessionId }, select: EVENT_COLUMNS });
}

const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as Prisma.InputJsonValue;

/** Upserts the computed part of a record; the reflection and the comment are left as they are. */
export async function storeAnalysis(prisma: Client, sessionId: number, a: ComputedAnalysis, computedAt: number): Promise<void> {
  const data = { computedAt: new Date(computedAt), metrics: json(a.metrics), curves: json({ points: a.curve }), products: json(a.products), moments: json(a.moments) };
  await prisma.analysisRecord.upsert({ where: { sessionId }, create: { sessionId, ...data }, update: data });
}

/** Recomputes and stores one session's record from its stored events. */
export async function recomputeSession(db: Database, sessionId: number, now: number): Promise<ComputedAnalysis | null> {
  const s = await db.prisma.liveSession.findUnique({ where: { id: sessionId }, select: { status: true, actualStart: true, actualEnd: true } });
  if (!s) return null;
  const a = computeAnalysis(await loadEvents(db.prisma, sessionId), s, now);
  await storeAnalysis(db.prisma, sessionId, a, now);
  return a;
}

/**
 * Ended sessions whose record is missing or was computed from a different number of events than the log now
 * holds (late events, or a persister that caught up after the session ended). Counting is robust where
 * comparing receivedAt with computedAt is not: an event received before computedAt may be written after it.
 */
export async function staleSessions(db: Database, endedSince: Date, limit: number): Promise<number[]> {
  const rows = await db.query<{ id: number }>(
    `SELECT s."id" FROM "LiveSession" s
     LEFT JOIN "AnalysisRecord" a ON a."sessionId" = s."id"
     WHERE s."status" = 'ended' AND (s."actualEnd" IS NULL OR s."actualEnd" >= $1)
       AND (a."sessionId" IS NULL
         OR COALESCE((a."metrics"->>'eventCount')::int, -1) <> (SELECT COUNT(*) FROM "LiveEvent" e WHERE e."sessionId" = s."id"))
     ORDER BY s."id" LIMIT $2`,
    [endedSince, limit],
  );
  return rows.map((r) => Number(r.id));
}

/** The session's timeline as marks on its curves: alerts (raised, cleared), tickets and their steps, violations. */
export async function sessionMarks(prisma: Client, sessionId: number): Promise<CurveMark[]> {
  const [alerts, tickets, violations] = await Promise.all([
    prisma.alert.findMany({ where: { sessionId }, select: { id: true, rule: true, message: true, openedAt: true, clearedAt: true } }),
    prisma.ticket.findMany({ where: { sessionId }, select: { id: true, kind: true, text: true, openedAt: true, steps: { select: { id: true, kind: true, text: true, at: true } } } }),
    prisma.violation.findMany({ where: { sessionId }, select: { id: true, kind: true, decision: true, reason: true, atInSession: true, decidedAt: true } }),
  ]);
  const marks: CurveMark[] = [];
  for (const a of alerts) {
    marks.push({ at: a.openedAt.toISOString(), kind: 'alert', label: `${a.rule}: ${a.message}`, refId: a.id });
    if (a.clearedAt) marks.push({ at: a.clearedAt.toISOString(), kind: 'alert_cleared', label: a.rule, refId: a.id });
  }
  for (const t of tickets) {
    marks.push({ at: t.openedAt.toISOString(), kind: 'ticket', label: `${t.kind}: ${t.text}`.slice(0, 200), refId: t.id });
    // The opening step repeats the ticket itself.
    for (const s of t.steps)
      if (s.kind !== 'opened') marks.push({ at: s.at.toISOString(), kind: 'ticket_step', label: `#${t.id} ${s.kind}${s.text ? `: ${s.text}` : ''}`.slice(0, 200), refId: t.id });
  }
  for (const v of violations)
    marks.push({ at: (v.atInSession ?? v.decidedAt).toISOString(), kind: 'violation', label: `${v.kind} (${v.decision}): ${v.reason}`.slice(0, 200), refId: v.id });
  return marks.sort((a, b) => a.at.localeCompare(b.at) || a.kind.localeCompare(b.kind));
}

type StoredJson = Prisma.JsonValue;
export const metricsOf = (v: StoredJson) => v as unknown as AnalysisMetrics;
const pointsOf = (v: StoredJson) => ((v as unknown as { points?: CurvePoint[] } | null)?.points ?? []);

/** Every stored record of a stage, as comparison entries. */
export async function stageCohort(prisma: Client, stageId: number): Promise<CohortEntry[]> {
  const rows = await prisma.analysisRecord.findMany({
    where: { session: { stageId } },
    select: { sessionId: true, metrics: true, session: { select: { teamId: true, cityCode: true, plannedStart: true, actualStart: true } } },
  });
  return rows.map((r) => ({
    sessionId: r.sessionId,
    teamId: r.session.teamId,
    cityCode: r.session.cityCode,
    startMs: (r.session.actualStart ?? r.session.plannedStart).getTime(),
    metrics: metricsOf(r.metrics),
  }));
}

export type SessionForAnalysis = {
  id: number; stageId: number; teamId: number; cityCode: string; status: AnalysisDto['status'];
  plannedStart: Date; actualStart: Date | null; actualEnd: Date | null; verifiedGmvFen: number | null; team: { name: string };
};

/**
 * The record as the API returns it. An ended session's stored record (computed now if the job has not yet);
 * a live session's computed on demand from the events so far and marked provisional, not stored. Null while
 * the session has no events and has not ended.
 */
export async function analysisDto(db: Database, s: SessionForAnalysis, now: number): Promise<AnalysisDto | null> {
  const { prisma } = db;
  let rec = await prisma.analysisRecord.findUnique({ where: { sessionId: s.id } });
  let provisional = false;
  let computed: ComputedAnalysis | null = null;
  // Late events since the record was stored: recompute now rather than wait for the job.
  if (rec && (await prisma.liveEvent.count({ where: { sessionId: s.id } })) !== metricsOf(rec.metrics).eventCount) rec = null;
  if (!rec) {
    const events = await loadEvents(prisma, s.id);
    if (s.status !== 'ended' && !events.length) return null;
    computed = computeAnalysis(events, s, now);
    if (s.status === 'ended') {
      await storeAnalysis(prisma, s.id, computed, now);
      rec = await prisma.analysisRecord.findUnique({ where: { sessionId: s.id } });
    } else provisional = true;
  }
  const metrics = computed?.metrics ?? metricsOf(rec!.metrics);
  const points = computed?.curve ?? pointsOf(rec!.curves);
  const products = computed?.products ?? (rec!.products as unknown as ProductRank[]);
  const moments = computed?.moments ?? (rec!.moments as unknown as Moments);
  const [marks, cohortRows] = await Promise.all([sessionMarks(prisma, s.id), stageCohort(prisma, s.stageId)]);
  const current: CohortEntry = { sessionId: s.id, teamId: s.teamId, cityCode: s.cityCode, startMs: (s.actualStart ?? s.plannedStart).getTime(), metrics };
  const reflection = rec && rec.reflectedAt
    ? { wentWell: rec.wentWell ?? '', wentWrong: rec.wentWrong ?? '', toChange: rec.toChange ?? '', keepProducts: rec.keepProducts ?? '', dropProducts: rec.dropProducts ?? '', by: rec.reflectedBy, at: rec.reflectedAt.toISOString() }
    : null;
  return {
    sessionId: s.id,
    teamId: s.teamId,
    teamName: s.team.name,
    cityCode: s.cityCode,
    stageId: s.stageId,
    status: s.status,
    provisional,
    computedAt: (rec && !provisional ? rec.computedAt : new Date(now)).toISOString(),
    metrics,
    curves: { points, marks },
    products,
    moments,
    comparisons: compareMetrics(current, cohortRows),
    reflection,
    comment: rec?.cityComment ? { text: rec.cityComment, by: rec.commentedBy, at: rec.commentedAt?.toISOString() ?? null } : null,
    completeness: completenessOf(rec ? { ...rec, computed: !provisional } : null),
    verifiedGmvFen: s.verifiedGmvFen,
    definitions: METRIC_DEFINITIONS,
  };
}
