// Registration import (附件1 报名表, 附件2 邮乐小店): preview without writing, commit all-or-nothing; templates and
// exports as xlsx. Files come as the raw request body (xlsx or csv), parsed here rather than app-wide.
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { CityCode } from '../../../contracts/common';
import {
  CSV_TYPE,
  ImportCommit,
  ImportKindParam,
  MAX_IMPORT_BYTES,
  MAX_IMPORT_ROWS,
  XLSX_TYPE,
  type ImportPreview,
  type ImportResult,
} from '../../../contracts/imports';
import { canSeePhones, isProvince, type Actor } from '../../domain/permissions';
import { readGrid, type SheetFormat } from '../../services/spreadsheet';
import { checkImport, commitImport, MAX_LISTED_ERRORS, PreviewStore, registrationExport, shopsExport, templateWorkbook } from '../../services/import';
import { audit } from '../../services/audit';
import { forbidden, invalid } from '../errors';
import { ApiRouter, actorOf } from '../router';
import type { AppContext } from '../context';

const rawBody = express.raw({ type: [XLSX_TYPE, CSV_TYPE, 'application/csv'], limit: MAX_IMPORT_BYTES });
const ExportQuery = z.object({ cityCode: CityCode.optional() });

/** Only staff register teams: the province anywhere, city staff in their own city. */
function staffOnly(a: Actor): void {
  if (a.role === 'team') throw forbidden('Only city staff and the province import registrations');
}

/** The city an export covers: city staff their own, the province any or all. */
function exportCity(a: Actor, asked: string | undefined): string | undefined {
  staffOnly(a);
  if (isProvince(a)) return asked;
  if (asked && asked !== a.cityCode) throw forbidden();
  return a.cityCode;
}

async function readUpload(req: Request, res: Response): Promise<{ buf: Buffer; format: SheetFormat }> {
  await new Promise<void>((resolve, reject) => rawBody(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
  const format: SheetFormat | undefined = req.is(XLSX_TYPE) ? 'xlsx' : req.is([CSV_TYPE, 'application/csv']) ? 'csv' : undefined;
  if (!format) throw invalid(`Send the file as the request body with Content-Type ${XLSX_TYPE} or ${CSV_TYPE}`);
  const buf: unknown = req.body;
  if (!Buffer.isBuffer(buf) || buf.length === 0) throw invalid('The file is empty');
  return { buf, format };
}

const sendXlsx = (res: Response, name: string, buf: Buffer) => {
  res.setHeader('Content-Type', XLSX_TYPE);
  res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
  res.setHeader('Cache-Control', 'no-store');
  res.send(buf);
};

export function importRoutes(ctx: AppContext): ApiRouter {
  const r = new ApiRouter('/api/v1');
  const { prisma } = ctx.db;
  const previews = new PreviewStore(ctx.clock);

  r.post('/imports/:kind/preview', 'signed-in', async (req, res) => {
    const a = actorOf(req);
    const { kind } = ImportKindParam.parse(req.params);
    staffOnly(a);
    const { buf, format } = await readUpload(req, res);
    const grid = await readGrid(buf, format, MAX_IMPORT_ROWS);
    const c = await checkImport(prisma, a, kind, grid.rows);
    const held = c.errors.length === 0 ? previews.put(a.id, c.parsed) : null;
    const out: ImportPreview = {
      kind,
      rows: c.parsed.rows,
      errors: c.errors.slice(0, MAX_LISTED_ERRORS),
      errorCount: c.errors.length,
      summary: c.summary,
      token: held?.token ?? null,
      expiresAt: held ? new Date(held.expiresAt).toISOString() : null,
    };
    return out;
  });

  r.post('/imports/:kind/commit', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { kind } = ImportKindParam.parse(req.params);
    staffOnly(a);
    const { token } = ImportCommit.parse(req.body);
    const taken = previews.take(token, a.id, kind);
    try {
      const summary = await commitImport(prisma, a, taken.parsed);
      const out: ImportResult = { kind, rows: taken.parsed.rows, summary };
      return out;
    } catch (err) {
      // Let the caller retry once the conflict is resolved, without uploading again.
      taken.restore();
      throw err;
    }
  });

  // The blank form is harmless, so anyone signed in (a team filling it in too) may download it.
  r.get('/imports/:kind/template.xlsx', 'signed-in', async (req, res) => {
    const { kind } = ImportKindParam.parse(req.params);
    sendXlsx(res, `${kind}-template.xlsx`, await templateWorkbook(kind));
  });

  const exportRoute = (kind: 'registration' | 'shops') =>
    r.get(`/exports/${kind}.xlsx`, 'signed-in', async (req, res) => {
      const a = actorOf(req);
      const city = exportCity(a, ExportQuery.parse(req.query).cityCode);
      const { buf, teams } = kind === 'registration' ? await registrationExport(prisma, a, city) : await shopsExport(prisma, a, city);
      // Exports carry personal data out of the hub: record who took which.
      const phones = canSeePhones(a, { id: -1, cityCode: city ?? '' }) ? 'full' : 'masked';
      await audit(prisma, a, { action: `export.${kind}`, entity: 'Export', entityId: kind, cityCode: city ?? null, after: { teams, phones } });
      sendXlsx(res, `${kind}-${city ?? 'all'}.xlsx`, buf);
    });
  exportRoute('registration');
  exportRoute('shops');

  return r;
}
