// Post-session analysis (分析记录, issue #6): the record's shape, the metric definitions the page shows,
// the team's reflection and the city's comment, completeness, rankings, order-export reconciliation and reports.
// Request bodies and queries are zod schemas; responses are plain DTO interfaces. Money in fen, times ISO UTC.
import { z } from 'zod';
import { CityCode, Id } from './common';
import type { ViolationDecision, ViolationKind } from './ops';
import type { TeamStatus } from './registry';

// ───────────── metrics ─────────────

export const HEADLINE_KEYS = [
  'durationMs',
  'peakOnline',
  'avgOnline',
  'views',
  'viewers',
  'likes',
  'comments',
  'shares',
  'followers',
  'gmvFen',
  'orders',
  'buyers',
  'units',
  'aovFen',
  'conversion',
  'gpmFen',
  'valuePerViewerFen',
  'refunds',
  'refundFen',
  'netGmvFen',
] as const;
export type HeadlineKey = (typeof HEADLINE_KEYS)[number];

export interface MetricDefinition {
  zh: { label: string; text: string };
  en: { label: string; text: string };
  unit: 'ms' | 'count' | 'fen' | 'ratio';
  /** Which way is better, for colouring comparisons. */
  better: 'higher' | 'lower';
}

/** Written once; the analysis page, the xlsx export and the docs all show these texts. */
export const METRIC_DEFINITIONS: Record<HeadlineKey, MetricDefinition> = {
  durationMs: {
    zh: { label: '直播时长', text: '实际开播（首个事件）到实际结束（最后一个事件或手动结束）的时长。' },
    en: { label: 'Duration', text: 'From the actual start (first event) to the actual end (last event, or ended by staff).' },
    unit: 'ms', better: 'higher',
  },
  peakOnline: {
    zh: { label: '最高在线', text: '直播间同时在线人数的最大值，按与实时看板相同的规则（迟到的旧样本不计）；并记录出现时刻。' },
    en: { label: 'Peak online', text: 'Highest concurrent viewers, by the same rule as the live board (late, older samples ignored); with when it came.' },
    unit: 'count', better: 'higher',
  },
  avgOnline: {
    zh: { label: '平均在线', text: '在线人数按时间加权的平均值：每个样本保持到下一个样本，从首个到最后一个样本。' },
    en: { label: 'Average online', text: 'Time-weighted mean of concurrent viewers: each sample holds until the next, first sample to last.' },
    unit: 'count', better: 'higher',
  },
  views: {
    zh: { label: '观看人次', text: '平台累计观看人次；计数器被平台清零时，清零前的数计入（与实时看板一致）。' },
    en: { label: 'Views', text: 'Cumulative views as the platform counts them; a platform counter reset keeps what was counted before it (as live).' },
    unit: 'count', better: 'higher',
  },
  viewers: {
    zh: { label: '观看人数', text: '平台累计观看人数（去重）；采集端未提供时为空。' },
    en: { label: 'Viewers', text: 'Cumulative unique viewers as the platform counts them; empty when the collector did not send them.' },
    unit: 'count', better: 'higher',
  },
  likes: { zh: { label: '点赞', text: '累计点赞数。' }, en: { label: 'Likes', text: 'Cumulative likes.' }, unit: 'count', better: 'higher' },
  comments: { zh: { label: '评论', text: '累计评论数。' }, en: { label: 'Comments', text: 'Cumulative comments.' }, unit: 'count', better: 'higher' },
  shares: { zh: { label: '分享', text: '累计分享数。' }, en: { label: 'Shares', text: 'Cumulative shares.' }, unit: 'count', better: 'higher' },
  followers: {
    zh: { label: '新增关注', text: '本场新增关注数。' },
    en: { label: 'New followers', text: 'Followers gained in this session.' },
    unit: 'count', better: 'higher',
  },
  gmvFen: {
    zh: { label: '成交额（GMV）', text: '本场全部订单实付金额之和（未扣退款），单位分。' },
    en: { label: 'GMV', text: 'Sum of all order amounts in the session (before refunds), in fen.' },
    unit: 'fen', better: 'higher',
  },
  orders: { zh: { label: '订单数', text: '本场订单数。' }, en: { label: 'Orders', text: 'Orders placed in the session.' }, unit: 'count', better: 'higher' },
  buyers: {
    zh: { label: '下单人数', text: '下单买家去重数（按买家标识）；没有订单带买家标识时为空。' },
    en: { label: 'Buyers', text: 'Distinct buyers (by buyer reference); empty when no order carried one.' },
    unit: 'count', better: 'higher',
  },
  units: { zh: { label: '件数', text: '本场售出件数。' }, en: { label: 'Units', text: 'Units sold in the session.' }, unit: 'count', better: 'higher' },
  aovFen: {
    zh: { label: '客单价', text: 'GMV ÷ 订单数，单位分；无订单时为空。' },
    en: { label: 'Average order value', text: 'GMV ÷ orders, in fen; empty without orders.' },
    unit: 'fen', better: 'higher',
  },
  conversion: {
    zh: { label: '转化率', text: '下单人数 ÷ 观看人数；无观看人数时 ÷ 观看人次；无买家标识时以订单数代替下单人数。所用口径见 conversionBasis。分母为 0 时为空。' },
    en: { label: 'Conversion', text: 'Buyers ÷ viewers; ÷ views where viewers are unknown; orders stand in for buyers where buyers are unknown. conversionBasis says which. Empty when the denominator is 0.' },
    unit: 'ratio', better: 'higher',
  },
  gpmFen: {
    zh: { label: 'GPM（千次观看成交额）', text: 'GMV × 1000 ÷ 观看人次，单位分；无观看时为空。' },
    en: { label: 'GPM', text: 'GMV per 1,000 views (GMV × 1000 ÷ views), in fen; empty without views.' },
    unit: 'fen', better: 'higher',
  },
  valuePerViewerFen: {
    zh: { label: 'UV 价值', text: 'GMV ÷ 观看人数（无观看人数时 ÷ 观看人次），单位分。' },
    en: { label: 'Value per viewer', text: 'GMV ÷ viewers (÷ views where viewers are unknown), in fen.' },
    unit: 'fen', better: 'higher',
  },
  refunds: { zh: { label: '退款笔数', text: '本场退款事件数（含部分退款）。' }, en: { label: 'Refunds', text: 'Refund events (partial ones included).' }, unit: 'count', better: 'lower' },
  refundFen: { zh: { label: '退款金额', text: '退款金额之和，单位分。' }, en: { label: 'Refunded', text: 'Sum of refunds, in fen.' }, unit: 'fen', better: 'lower' },
  netGmvFen: {
    zh: { label: '净成交额', text: 'GMV − 退款金额，单位分；排名按此口径（暂定口径）。' },
    en: { label: 'Net GMV', text: 'GMV − refunds, in fen; what the (provisional) rankings rank.' },
    unit: 'fen', better: 'higher',
  },
};

export type ConversionBasis = 'buyers/viewers' | 'buyers/views' | 'orders/viewers' | 'orders/views';

export interface AnalysisMetrics {
  startAt: string | null;
  endAt: string | null;
  durationMs: number;
  peakOnline: number;
  peakAt: string | null;
  avgOnline: number;
  views: number;
  viewers: number | null;
  likes: number;
  comments: number;
  shares: number;
  followers: number;
  gmvFen: number;
  orders: number;
  buyers: number | null;
  units: number;
  aovFen: number | null;
  conversion: number | null;
  conversionBasis: ConversionBasis | null;
  gpmFen: number | null;
  valuePerViewerFen: number | null;
  valuePerViewerBasis: 'viewers' | 'views' | null;
  refunds: number;
  refundFen: number;
  netGmvFen: number;
  /** Events the record was computed from: a different count in the log means late events arrived. */
  eventCount: number;
  lastEventAt: string | null;
}

/** One minute of the session (t = the minute's start, UTC). */
export interface CurvePoint {
  t: string;
  /** Last online sample in the minute; null when the minute had none (a stall). */
  online: number | null;
  onlineMax: number | null;
  orders: number;
  units: number;
  gmvFen: number;
  refundFen: number;
  /** Running totals at the minute's end. */
  cumOrders: number;
  cumGmvFen: number;
}

export type MarkKind = 'alert' | 'alert_cleared' | 'ticket' | 'ticket_step' | 'violation';
export interface CurveMark {
  at: string;
  kind: MarkKind;
  label: string;
  refId: number;
}

export interface ProductRank {
  rank: number;
  productId: string | null;
  name: string;
  gmvFen: number;
  units: number;
  orders: number;
  refundFen: number;
  netGmvFen: number;
}

export interface SalesMoment {
  t: string;
  gmvFen: number;
  orders: number;
}
export interface ViewerMoment {
  t: string;
  gain: number;
  online: number;
}
export interface Moments {
  topSales: SalesMoment[];
  viewerGains: ViewerMoment[];
}

export interface ComputedAnalysis {
  metrics: AnalysisMetrics;
  curve: CurvePoint[];
  products: ProductRank[];
  moments: Moments;
}

// ───────────── comparisons ─────────────

export interface CohortStat {
  n: number;
  median: number | null;
  /** The top-25% threshold: the 75th percentile (the 25th for lower-is-better metrics). */
  top25: number | null;
}
export interface MetricComparison {
  value: number | null;
  /** The team's session that ended last before this one started. */
  previous: number | null;
  /** The best of the team's other sessions (lowest for lower-is-better metrics). */
  teamBest: number | null;
  stage: CohortStat;
  city: CohortStat;
}
export type Comparisons = Partial<Record<HeadlineKey, MetricComparison>>;

// ───────────── the team's and the city's part ─────────────

const Field = z.string().trim().min(1).max(2000);
export const ReflectionBody = z.strictObject({
  wentWell: Field,
  wentWrong: Field,
  toChange: Field,
  keepProducts: Field,
  dropProducts: Field,
});
export type ReflectionBody = z.infer<typeof ReflectionBody>;

export const CommentBody = z.strictObject({ text: z.string().trim().min(1).max(2000) });

/**
 * The completeness rule (强化分析，注重总结), one place: a session's record is complete when it is computed
 * (the session ended and its record was stored), the team filled in all five reflection fields, and city staff
 * (or the province) commented.
 */
export interface Completeness {
  computed: boolean;
  reflected: boolean;
  commented: boolean;
  complete: boolean;
}

export interface Reflection extends ReflectionBody {
  by: number | null;
  at: string | null;
}

export interface AnalysisDto {
  sessionId: number;
  teamId: number;
  teamName: string;
  cityCode: string;
  stageId: number;
  status: 'scheduled' | 'live' | 'ended' | 'cancelled' | 'suspended';
  /** True for a session still live: computed on demand from the events so far, not stored. */
  provisional: boolean;
  computedAt: string;
  metrics: AnalysisMetrics;
  curves: { points: CurvePoint[]; marks: CurveMark[] };
  products: ProductRank[];
  moments: Moments;
  comparisons: Comparisons;
  reflection: Reflection | null;
  comment: { text: string; by: number | null; at: string | null } | null;
  completeness: Completeness;
  verifiedGmvFen: number | null;
  definitions: typeof METRIC_DEFINITIONS;
}

// ───────────── completeness ─────────────

export const CompletenessQuery = z.object({ stageId: Id.optional(), cityCode: CityCode.optional() });

export interface IncompleteSession extends Completeness {
  sessionId: number;
  teamId: number;
  teamName: string;
  cityCode: string;
  plannedStart: string;
}
export interface CityCompleteness {
  cityCode: string;
  cityName: string;
  ended: number;
  computed: number;
  reflected: number;
  commented: number;
  complete: number;
}
export interface CompletenessAnswer {
  /** Per city: every city for the province, the caller's own for city staff and teams. */
  cities: CityCompleteness[];
  /** Ended sessions lacking a complete record (city staff and teams; the province when it names a city). */
  items: IncompleteSession[];
}

// ───────────── rankings ─────────────

export const RankingBasis = z.enum(['provisional', 'verified']);
export type RankingBasis = z.infer<typeof RankingBasis>;
export const RankingDim = z.enum(['team', 'city', 'university']);
export type RankingDim = z.infer<typeof RankingDim>;
export const RankingsQuery = z.object({
  stageId: Id,
  basis: RankingBasis.default('provisional'),
  dim: RankingDim.default('team'),
});

export interface RankingItem {
  rank: number;
  id: string;
  name: string;
  cityCode?: string;
  /** Net GMV (GMV − refunds) from the event log, or verified GMV from the platform's export. */
  gmvFen: number;
  sessions: number;
  /** Sessions with a verified figure (verified basis only; the others count 0). */
  verifiedSessions?: number;
}
export interface RankingsAnswer {
  stageId: number;
  basis: RankingBasis;
  dim: RankingDim;
  note: string;
  items: RankingItem[];
  /** Disqualified teams, out of the ranking (their history is kept). */
  excluded: Array<{ teamId: number; name: string; cityCode: string; gmvFen: number }>;
}

// ───────────── order-export reconciliation ─────────────

export const DEFAULT_REFUNDED_STATUSES = ['已退款', '退款成功', '已全额退款', '退款完成', '全额退款'];
export const DEFAULT_CANCELLED_STATUSES = ['已取消', '交易关闭', '已关闭', '取消', '订单关闭'];

const Header = z.string().trim().min(1).max(60);
/** Which column of the export holds what: header texts of the file's first row. */
export const ColumnMapping = z.strictObject({
  orderId: Header,
  amount: Header,
  status: Header,
  paidAt: Header.optional(),
  /** A column naming the session (its id, 场次编号) for a whole day's file. */
  sessionRef: Header.optional(),
  /** Partly refunded orders: the refunded amount. */
  refundAmount: Header.optional(),
  refundedStatuses: z.array(z.string().trim().min(1).max(20)).max(20).optional(),
  cancelledStatuses: z.array(z.string().trim().min(1).max(20)).max(20).optional(),
});
export type ColumnMapping = z.infer<typeof ColumnMapping>;

export const FormatName = z.string().trim().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lowercase letters, digits, - and _');
export const FormatBody = z.strictObject({ cityCode: CityCode.optional(), mapping: ColumnMapping });

export const ReconcileQuery = z
  .object({
    format: FormatName,
    sessionId: Id.optional(),
    cityCode: CityCode.optional(),
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'yyyy-mm-dd').optional(),
  })
  .refine((q) => (q.sessionId !== undefined) !== (q.day !== undefined), { message: 'give either sessionId or day' });

export interface ExportOnlyOrder {
  row: number;
  orderId: string;
  amountFen: number;
  status: string;
  sessionId: number | null;
  reason: 'not_in_live_log' | 'no_session';
}
export interface LiveOnlyOrder {
  sessionId: number;
  orderId: string;
  amountFen: number;
}
export interface AmountMismatch {
  orderId: string;
  sessionId: number;
  liveFen: number;
  exportFen: number;
}
export interface SessionReconciliation {
  sessionId: number;
  teamId: number;
  /** Live order events' GMV − refunds (the provisional figure). */
  provisionalNetFen: number;
  /** The export's paid amounts, refunds and cancellations applied. */
  verifiedGmvFen: number;
  matched: number;
  exportOnly: number;
  liveOnly: number;
  cancelled: number;
  refunded: number;
}
export interface ReconciliationResult {
  rows: number;
  sessions: SessionReconciliation[];
  exportOnly: ExportOnlyOrder[];
  liveOnly: LiveOnlyOrder[];
  mismatches: AmountMismatch[];
  /** Rows that could not be read (no order id, an amount that is not money, a repeated order id). */
  errors: Array<{ row: number; message: string }>;
}
export interface ReconciliationDto extends ReconciliationResult {
  id: number;
  cityCode: string;
  sessionId: number | null;
  day: string | null;
  format: string;
  createdAt: string;
}

// ───────────── reports (the city's written summary, the province's view across cities) ─────────────

export const ReportQuery = z.object({ stageId: Id.optional() });

export interface SalesTotals {
  sessions: number;
  gmvFen: number;
  refundFen: number;
  netGmvFen: number;
  orders: number;
  units: number;
  /** Sum over sessions with a verified figure, and how many have one. */
  verifiedGmvFen: number;
  verifiedSessions: number;
  /** From the stored analysis records (ended sessions): views summed, unique viewers summed where the platform gave them, the highest peak online. */
  views: number;
  viewers: number;
  peakOnline: number;
}
export interface TeamReportRow extends SalesTotals {
  teamId: number;
  name: string;
  university: string;
  status: z.infer<typeof TeamStatus>;
  completeRecords: number;
}
export interface TicketSummary {
  total: number;
  open: number;
  resolved: number;
  byKind: Record<string, number>;
  /** Median minutes from opening to resolution of the resolved ones. */
  medianResolveMinutes: number | null;
  /** Against the resolution SLA (from opening, or the last reopening): resolved in time, late (resolved after the due time or still open past it), still within it. */
  sla: { resolveMinutes: number; met: number; late: number; pending: number };
}
export interface ViolationSummary {
  total: number;
  byKind: Record<string, number>;
  byDecision: Record<string, number>;
  lifted: number;
}
export interface ViolationRow {
  id: number;
  teamId: number;
  teamName: string;
  kind: z.infer<typeof ViolationKind>;
  decision: z.infer<typeof ViolationDecision>;
  reason: string;
  decidedAt: string;
  liftedAt: string | null;
}
export interface BestSession {
  sessionId: number;
  teamId: number;
  teamName: string;
  cityCode: string;
  cityName: string;
  date: string; // yyyy-mm-dd, Asia/Shanghai
  netGmvFen: number;
  verifiedGmvFen: number | null;
  orders: number;
  peakOnline: number | null;
  conversion: number | null;
}
/** The report's heading: which stage (null = the whole contest) and when it was generated. */
export interface ReportHead {
  stageId: number | null;
  stage: { id: number; name: string } | null;
  generatedAt: string;
}
export interface CityReport extends ReportHead {
  city: { code: string; name: string };
  totals: SalesTotals & { teams: number };
  completeness: CityCompleteness;
  teams: TeamReportRow[];
  tickets: TicketSummary;
  violationSummary: ViolationSummary;
  violations: ViolationRow[];
  /** Top sessions by net GMV, and by conversion (sessions with orders and a conversion figure). */
  bestSessions: BestSession[];
  bestByConversion: BestSession[];
}
export interface ProvinceCityRow extends SalesTotals {
  cityCode: string;
  cityName: string;
  teams: number;
  completeness: CityCompleteness;
  tickets: TicketSummary;
  violations: ViolationSummary;
}
export interface ProvinceReport extends ReportHead {
  totals: SalesTotals & { teams: number };
  completeness: CityCompleteness;
  tickets: TicketSummary;
  violations: ViolationSummary;
  cities: ProvinceCityRow[];
  bestSessions: BestSession[];
  bestByConversion: BestSession[];
}
