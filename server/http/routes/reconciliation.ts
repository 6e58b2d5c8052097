// Provisional vs verified sales: city staff upload the Youle order export for a session or a day (raw xlsx or
// csv body) under a named column mapping given once per format; orders are matched to the live order events and
// each covered session gets verifiedGmvFen. Only staff: the province anywhere, city staff in their city.
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { CityCode, IdParam } from '../../../contracts/common';
import {
  ColumnMapping,
  FormatBody,
  FormatName,
  ReconcileQuery,
  type ReconciliationDto,
  type ReconciliationResult,
} from '../../../contracts/analysis';
import { CSV_TYPE, MAX_IMPORT_BYTES, XLSX_TYPE } from '../../../contracts/imports';
import type { AppContext } from '../context';
import type { Prisma } from '../../db/generated/client.ts';
import { canManageCity, isProvince, type Actor } from '../../domain/permissions';
import { DAY, shanghaiInstant } from '../../domain/time';
import { readGrid, type SheetFormat } from '../../services/spreadsheet';
import { audit } from '../../services/audit';
import { parseExport, reconcile, type LiveOrder } from '../../analysis/reconcile';
import { ApiRouter, actorOf } from '../router';
import { forbidden, invalid, notFound } from '../errors';

const rawBody = express.raw({ type: [XLSX_TYPE, CSV_TYPE, 'application/csv'], limit: MAX_IMPORT_BYTES });
const MAX_ORDER_ROWS = 20_000;
const ListQuery = z.object({ cityCode: CityCode.optional(), sessionId: z.coerce.number().int().positive().optional() });
const NameParam = z.object({ name: FormatName });

async function readUpload(req: Request, res: Response): Promise<{ buf: Buffer; format: SheetFormat }> {
  await new Promise<void>((resolve, reject) => rawBody(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
  const format: SheetFormat | undefined = req.is(XLSX_TYPE) ? 'xlsx' : req.is([CSV_TYPE, 'application/csv']) ? 'csv' : undefined;
  if (!format) throw invalid(`Send the order export as the request body with Content-Type ${XLSX_TYPE} or ${CSV_TYPE}`);
  const buf: unknown = req.body;
  if (!Buffer.isBuffer(buf) || buf.length === 0) throw invalid('The file is empty');
  return { buf, format };
}

/** The city a staff request acts for: city staff their own; the province must name one. */
function staffCity(a: Actor, asked: string | undefined): string {
  if (a.role === 'team') throw forbidden('Only city staff and the province reconcile orders');
  if (isProvince(a)) {
    if (!asked) throw invalid('Name the city (cityCode)', [{ path: 'cityCode', message: 'required for the province' }]);
    return asked;
  }
  if (asked && asked !== a.cityCode) throw forbidden();
  return a.cityCode ?? '__none__';
}

const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as Prisma.InputJsonValue;

type RecRow = { id: number; cityCode: string; sessionId: number | null; day: string | null; format: string; result: Prisma.JsonValue; createdAt: Date };
const toDto = (r: RecRow): ReconciliationDto => ({
  ...(r.result as unknown as ReconciliationResult),
  id: r.id, cityCode: r.cityCode, sessionId: r.sessionId, day: r.day, format: r.format, createdAt: r.createdAt.toISOString(),
});

export function reconciliationRoutes(ctx: AppContext): ApiRouter {
  const r = new ApiRouter('/api/v1/reconciliation');
  const { prisma } = ctx.db;

  r.get('/formats', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { cityCode } = ListQuery.parse(req.query);
    if (a.role === 'team') throw forbidden();
    const city = isProvince(a) ? cityCode : staffCity(a, cityCode);
    const rows = await prisma.orderExportFormat.findMany({ where: city ? { cityCode: city } : {}, orderBy: [{ cityCode: 'asc' }, { name: 'asc' }] });
    return { items: rows.map((f) => ({ cityCode: f.cityCode, name: f.name, mapping: ColumnMapping.parse(f.mapping), updatedAt: f.updatedAt.toISOString() })) };
  });

  /** Given once per export layout and remembered for the city's later uploads. */
  r.put('/formats/:name', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { name } = NameParam.parse(req.params);
    const body = FormatBody.parse(req.body);
    const cityCode = staffCity(a, body.cityCode);
    const before = await prisma.orderExportFormat.findUnique({ where: { cityCode_name: { cityCode, name } } });
    const row = await prisma.$transaction(async (tx) => {
      const saved = await tx.orderExportFormat.upsert({
        where: { cityCode_name: { cityCode, name } },
        create: { cityCode, name, mapping: json(body.mapping), updatedBy: a.id },
        update: { mapping: json(body.mapping), updatedBy: a.id },
      });
      await audit(tx, a, { action: 'reconciliation.format', entity: 'OrderExportFormat', entityId: `${cityCode}:${name}`, cityCode, before: before?.mapping, after: body.mapping });
      return saved;
    });
    return { cityCode: row.cityCode, name: row.name, mapping: body.mapping, updatedAt: row.updatedAt.toISOString() };
  });

  r.post('/', 'signed-in', async (req, res) => {
    const a = actorOf(req);
    const q = ReconcileQuery.parse(req.query);
    if (a.role === 'team') throw forbidden('Only city staff and the province reconcile orders');
    // The scope first, so a refusal does not depend on the upload.
    let cityCode: string;
    let sessions: Array<{ id: number; teamId: number }>;
    if (q.sessionId !== undefined) {
      const s = await prisma.liveSession.findUnique({ where: { id: q.sessionId }, select: { id: true, teamId: true, cityCode: true } });
      if (!s) throw notFound('Session');
      if (!canManageCity(a, s.cityCode)) throw forbidden();
      cityCode = s.cityCode;
      sessions = [{ id: s.id, teamId: s.teamId }];
    } else {
      cityCode = staffCity(a, q.cityCode);
      const from = shanghaiInstant(q.day!);
      sessions = await prisma.liveSession.findMany({
        where: { cityCode, status: { in: ['live', 'ended'] }, plannedStart: { gte: new Date(from), lt: new Date(from + DAY) } },
        select: { id: true, teamId: true },
        orderBy: { id: 'asc' },
      });
    }
    const fmt = await prisma.orderExportFormat.findUnique({ where: { cityCode_name: { cityCode, name: q.format } } });
    if (!fmt) throw notFound(`Column mapping "${q.format}" for this city (give it once: PUT /api/v1/reconciliation/formats/${q.format})`);
    const mapping = ColumnMapping.parse(fmt.mapping);
    const { buf, format } = await readUpload(req, res);
    const grid = await readGrid(buf, format, MAX_ORDER_ROWS);
    const parsed = parseExport(grid.rows, mapping);
    if (parsed.missing.length)
      throw invalid(`The file lacks the mapped columns: ${parsed.missing.join(', ')}`, parsed.missing.map((m) => ({ path: m, message: 'column not found in the header row' })));

    const ids = sessions.map((s) => s.id);
    const events = await prisma.liveEvent.findMany({ where: { sessionId: { in: ids }, type: { in: ['order', 'refund'] } }, select: { sessionId: true, type: true, orderId: true, amountFen: true } });
    const orders = new Map<string, LiveOrder>();
    for (const e of events) if (e.type === 'order' && e.orderId) orders.set(`${e.sessionId}:${e.orderId}`, { sessionId: e.sessionId, orderId: e.orderId, amountFen: e.amountFen ?? 0, refundedFen: 0 });
    for (const e of events) {
      const o = e.type === 'refund' ? orders.get(`${e.sessionId}:${e.orderId}`) : undefined;
      if (o) o.refundedFen += e.amountFen ?? 0;
    }
    const result = reconcile(parsed.orders, [...orders.values()], { sessions, target: q.sessionId ?? null }, mapping, parsed.errors);

    const saved = await prisma.$transaction(async (tx) => {
      for (const s of result.sessions) await tx.liveSession.update({ where: { id: s.sessionId }, data: { verifiedGmvFen: s.verifiedGmvFen } });
      const row = await tx.reconciliation.create({
        data: { cityCode, sessionId: q.sessionId ?? null, day: q.day ?? null, format: q.format, fileRows: result.rows, result: json(result), createdBy: a.id },
      });
      await audit(tx, a, {
        action: 'reconciliation.upload', entity: 'Reconciliation', entityId: row.id, cityCode,
        after: { sessionId: q.sessionId ?? null, day: q.day ?? null, rows: result.rows, verified: result.sessions.map((s) => ({ sessionId: s.sessionId, verifiedGmvFen: s.verifiedGmvFen })) },
      });
      return row;
    });
    res.status(201);
    return toDto(saved);
  });

  r.get('/', 'signed-in', async (req) => {
    const a = actorOf(req);
    const q = ListQuery.parse(req.query);
    if (a.role === 'team') throw forbidden();
    const city = isProvince(a) ? q.cityCode : staffCity(a, q.cityCode);
    const rows = await prisma.reconciliation.findMany({
      where: { ...(city ? { cityCode: city } : {}), ...(q.sessionId ? { sessionId: q.sessionId } : {}) },
      orderBy: { id: 'desc' },
      take: 200,
    });
    return { items: rows.map(toDto) };
  });

  r.get('/:id', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const row = await prisma.reconciliation.findUnique({ where: { id } });
    if (!row) throw notFound('Reconciliation');
    if (!canManageCity(a, row.cityCode)) throw forbidden();
    return toDto(row);
  });

  return r;
}
