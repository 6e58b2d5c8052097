// The city and province reports as xlsx, one sheet per section of the printable page, ready to hand in.
// Money is a number of yuan formatted '#,##0.00' (computed from integer fen); labels are the notice's Chinese.
import type {
  BestSession, CityCompleteness, CityReport, ProvinceReport, ReportHead, SalesTotals, TicketSummary, ViolationSummary,
} from '../../contracts/analysis';
import { TicketKind } from '../../contracts/response';
import { ViolationKind } from '../../contracts/ops';
import { shanghaiText, writeWorkbook, type SheetCell, type SheetSpec } from '../services/spreadsheet';

export const CONTEST_TITLE = '“赣邮杯·我为家乡代言”大学生电商直播大赛';

const TICKET_KIND_ZH: Record<string, string> = { equipment: '设备', network: '网络', account: '帐号', product: '产品或样品', compliance: '合规咨询', other: '其他' };
const VIOLATION_KIND_ZH: Record<string, string> = { product: '直播产品', room_setup: '直播间设置/展示', script: '直播话术', anchor_image: '主播形象', other: '其他' };
const DECISION_ZH: Record<string, string> = { warning: '警告', suspension: '停播整改', disqualification: '取消资格' };
const DECISIONS = Object.keys(DECISION_ZH);
const TEAM_ZH: Record<string, string> = { active: '正常', suspended: '停播整改', disqualified: '取消资格', withdrawn: '已退赛' };

const YUAN = '#,##0.00';
const yuan = (fen: number) => fen / 100;
const pct = (n: number, of: number) => (of ? `${((n * 100) / of).toFixed(1)}%` : '—');
const conversionText = (c: number | null) => (c === null ? null : `${(c * 100).toFixed(2)}%`);
type Row = SheetCell[];
/** Yuan in a label/value sheet, where the column also holds counts. */
const money = (fen: number): SheetCell => ({ value: fen / 100, numFmt: YUAN });

function headRows(h: ReportHead, scope: string): Row[] {
  return [
    ['赛事', CONTEST_TITLE],
    ['范围', scope],
    ['赛程阶段', h.stage?.name ?? '全部阶段'],
    ['生成时间', shanghaiText(new Date(h.generatedAt))],
  ];
}

function totalsRows(t: SalesTotals & { teams: number }, c: CityCompleteness): Row[] {
  return [
    ['参赛团队', t.teams],
    ['直播场次', t.sessions],
    ['成交额（元，暂定）', money(t.gmvFen)],
    ['退款（元）', money(t.refundFen)],
    ['净成交额（元，暂定）', money(t.netGmvFen)],
    ['核实成交额（元）', money(t.verifiedGmvFen)],
    ['已核实场次', t.verifiedSessions],
    ['订单数', t.orders],
    ['件数', t.units],
    ['累计观看', t.views],
    ['观看人数（平台提供的场次）', t.viewers],
    ['最高在线', t.peakOnline],
    ['已结束场次', c.ended],
    ['分析记录完整', c.complete],
    ['完整率', pct(c.complete, c.ended)],
    ['团队已复盘', c.reflected],
    ['市分公司已点评', c.commented],
  ];
}

const summarySheet = (rows: Row[]): SheetSpec => ({
  name: '汇总',
  columns: [{ header: '项目', width: 28 }, { header: '数值', width: 40 }],
  rows,
});

function ticketRows(t: TicketSummary): Row[] {
  return [
    ['工单总数', t.total],
    ['未解决', t.open],
    ['已解决', t.resolved],
    [`按时解决（${t.sla.resolveMinutes} 分钟内）`, t.sla.met],
    ['超时', t.sla.late],
    ['处理中未超时', t.sla.pending],
    ['解决中位时长（分钟）', t.medianResolveMinutes],
    ...TicketKind.options.map((k): Row => [`类型：${TICKET_KIND_ZH[k]}`, t.byKind[k] ?? 0]),
  ];
}

function violationCountRows(v: ViolationSummary): Row[] {
  return [
    ['违规处理', v.total],
    ...DECISIONS.map((k): Row => [`处理：${DECISION_ZH[k]}`, v.byDecision[k] ?? 0]),
    ...ViolationKind.options.map((k): Row => [`类型：${VIOLATION_KIND_ZH[k]}`, v.byKind[k] ?? 0]),
    ['已解除', v.lifted],
  ];
}

const bestSheet = (name: string, best: BestSession[]): SheetSpec => ({
  name,
  columns: [
    { header: '名次', width: 6 }, { header: '场次', width: 8 }, { header: '日期', width: 12 }, { header: '团队', width: 24 }, { header: '市', width: 10 },
    { header: '净成交额（元，暂定）', width: 18, numFmt: YUAN }, { header: '核实成交额（元）', width: 16, numFmt: YUAN }, { header: '订单', width: 8 },
    { header: '最高在线', width: 10 }, { header: '转化率', width: 10 },
  ],
  rows: best.map((b, i) => [
    i + 1, b.sessionId, b.date, b.teamName, b.cityName, yuan(b.netGmvFen), b.verifiedGmvFen === null ? null : yuan(b.verifiedGmvFen), b.orders,
    b.peakOnline, conversionText(b.conversion),
  ]),
});

export function cityReportWorkbook(r: CityReport): Promise<Buffer> {
  return writeWorkbook([
    summarySheet([...headRows(r, r.city.name), ...totalsRows(r.totals, r.completeness)]),
    {
      name: '团队',
      columns: [
        { header: '团队', width: 24 }, { header: '高校', width: 22 }, { header: '状态', width: 10 }, { header: '场次', width: 8 },
        { header: '净成交额（元，暂定）', width: 18, numFmt: YUAN }, { header: '核实成交额（元）', width: 16, numFmt: YUAN }, { header: '订单', width: 8 },
        { header: '累计观看', width: 10 }, { header: '最高在线', width: 10 }, { header: '完整分析记录', width: 12 },
      ],
      rows: r.teams.map((t) => [
        t.name, t.university, TEAM_ZH[t.status] ?? t.status, t.sessions, yuan(t.netGmvFen), t.verifiedSessions ? yuan(t.verifiedGmvFen) : null, t.orders,
        t.views, t.peakOnline, t.completeRecords,
      ]),
    },
    { name: '工单', columns: [{ header: '项目', width: 28 }, { header: '数值', width: 12 }], rows: ticketRows(r.tickets) },
    {
      name: '违规',
      columns: [{ header: '团队', width: 24 }, { header: '类型', width: 16 }, { header: '处理', width: 12 }, { header: '原因', width: 40 }, { header: '时间', width: 18 }, { header: '解除', width: 18 }],
      rows: [
        ...r.violations.map((v): Row => [
          v.teamName, VIOLATION_KIND_ZH[v.kind] ?? v.kind, DECISION_ZH[v.decision] ?? v.decision, v.reason, shanghaiText(new Date(v.decidedAt)), v.liftedAt ? shanghaiText(new Date(v.liftedAt)) : null,
        ]),
        [],
        ...violationCountRows(r.violationSummary),
      ],
    },
    bestSheet('最佳场次（成交额）', r.bestSessions),
    bestSheet('最佳场次（转化率）', r.bestByConversion),
  ]);
}

export function provinceReportWorkbook(r: ProvinceReport): Promise<Buffer> {
  const all = { cityName: '全省合计', ...r.totals, completeness: r.completeness, tickets: r.tickets, violations: r.violations };
  const rows = [...r.cities, all];
  return writeWorkbook([
    summarySheet([...headRows(r, '全省'), ...totalsRows(r.totals, r.completeness), ...ticketRows(r.tickets), ...violationCountRows(r.violations)]),
    {
      name: '各市',
      columns: [
        { header: '市', width: 10 }, { header: '团队', width: 8 }, { header: '场次', width: 8 },
        { header: '净成交额（元，暂定）', width: 18, numFmt: YUAN }, { header: '核实成交额（元）', width: 16, numFmt: YUAN }, { header: '已核实场次', width: 10 },
        { header: '订单', width: 8 }, { header: '累计观看', width: 10 }, { header: '已结束', width: 8 }, { header: '分析完整', width: 10 }, { header: '完整率', width: 10 },
      ],
      rows: rows.map((c) => [
        c.cityName, c.teams, c.sessions, yuan(c.netGmvFen), yuan(c.verifiedGmvFen), c.verifiedSessions, c.orders, c.views,
        c.completeness.ended, c.completeness.complete, pct(c.completeness.complete, c.completeness.ended),
      ]),
    },
    {
      name: '工单',
      columns: [
        { header: '市', width: 10 }, { header: '工单', width: 8 }, { header: '未解决', width: 8 }, { header: '按时解决', width: 10 }, { header: '超时', width: 8 },
        { header: '处理中', width: 8 }, { header: '解决中位（分钟）', width: 14 }, ...TicketKind.options.map((k) => ({ header: TICKET_KIND_ZH[k]!, width: 10 })),
      ],
      rows: rows.map((c) => [
        c.cityName, c.tickets.total, c.tickets.open, c.tickets.sla.met, c.tickets.sla.late, c.tickets.sla.pending, c.tickets.medianResolveMinutes,
        ...TicketKind.options.map((k) => c.tickets.byKind[k] ?? 0),
      ]),
    },
    {
      name: '违规',
      columns: [
        { header: '市', width: 10 }, { header: '违规处理', width: 10 }, ...DECISIONS.map((k) => ({ header: DECISION_ZH[k]!, width: 10 })), { header: '已解除', width: 8 },
        ...ViolationKind.options.map((k) => ({ header: VIOLATION_KIND_ZH[k]!, width: 12 })),
      ],
      rows: rows.map((c) => [
        c.cityName, c.violations.total, ...DECISIONS.map((k) => c.violations.byDecision[k] ?? 0), c.violations.lifted,
        ...ViolationKind.options.map((k) => c.violations.byKind[k] ?? 0),
      ]),
    },
    bestSheet('最佳场次（成交额）', r.bestSessions),
    bestSheet('最佳场次（转化率）', r.bestByConversion),
  ]);
}
