// Summary reports: a city's (its staff and the province) and the province's across cities (province only),
// each as JSON for the printable page and as xlsx. The .xlsx routes come first so ":code" never swallows them.
import { z } from 'zod';
import { CityCode } from '../../../contracts/common';
import { ReportQuery } from '../../../contracts/analysis';
import type { AppContext } from '../context';
import { canViewCity, isProvince } from '../../domain/permissions';
import { cityReport, provinceReport } from '../../analysis/reports';
import { cityReportWorkbook, provinceReportWorkbook } from '../../analysis/report-sheets';
import { ApiRouter, actorOf } from '../router';
import { forbidden, notFound } from '../errors';
import { sendXlsx } from './analysis';

const CodeParam = z.object({ code: CityCode });

export function reportRoutes(ctx: AppContext): ApiRouter {
  const r = new ApiRouter('/api/v1/reports');
  const now = () => ctx.clock.now();

  const city = async (params: unknown, query: unknown, a: ReturnType<typeof actorOf>) => {
    const { code } = CodeParam.parse(params);
    if (!canViewCity(a, code)) throw forbidden();
    const report = await cityReport(ctx.db, code, ReportQuery.parse(query).stageId, now());
    if (!report) throw notFound('City');
    return report;
  };
  const province = (query: unknown, a: ReturnType<typeof actorOf>) => {
    if (!isProvince(a)) throw forbidden('The province report is the province’s');
    return provinceReport(ctx.db, ReportQuery.parse(query).stageId, now());
  };

  r.get('/city/:code.xlsx', 'signed-in', async (req, res) => {
    const rep = await city(req.params, req.query, actorOf(req));
    sendXlsx(res, `report-city-${rep.city.code}.xlsx`, await cityReportWorkbook(rep));
  });
  r.get('/city/:code', 'signed-in', (req) => city(req.params, req.query, actorOf(req)));
  r.get('/province.xlsx', 'signed-in', async (req, res) => {
    sendXlsx(res, 'report-province.xlsx', await provinceReportWorkbook(await province(req.query, actorOf(req))));
  });
  r.get('/province', 'signed-in', (req) => province(req.query, actorOf(req)));
  return r;
}
