// The permission matrix: for every HTTP route the hub records (hub.routes), who may call it and what each
// caller gets; for every socket event, what each caller's ack says. test/trust/matrix.test.ts runs it.
// Path params name city A's resources (or throwaway ones made by setupMatrix), so city B's staff and team
// must be refused; bodies are valid enough to pass parsing, so a refusal is the permission check's.
import type { Access } from '../../server/http/router.ts';
import type { ClientToServerEvents } from '../../contracts/live.ts';
import { createCollectorKey } from '../../server/auth/service.ts';
import { newSecret, sha256 } from '../../server/auth/secrets.ts';
import { CITY_A, CITY_B, type Fixture } from './fixture.ts';
import type { TestHub } from './hub.ts';

/** Callers, least privileged first: within a route, refusals run before the calls that may change state. */
export const ROLES = ['anonymous', 'revokedKey', 'expiredToken', 'collectorA', 'teamB', 'cityB', 'teamA', 'cityA', 'province'] as const;
export type Role = (typeof ROLES)[number];
export const USER_ROLES = ['teamB', 'cityB', 'teamA', 'cityA', 'province'] as const satisfies readonly Role[];
export type UserRole = (typeof USER_ROLES)[number];

/**
 * ok: 2xx. pass: authorised, the minimal body may still be refused (2xx, 400, 409 or 423 — never 401/403).
 * reached: authorised, anything but 401/403/5xx (e.g. 404 for an unknown import token). deny: 403 or 404,
 * with nothing but the error envelope. unauth: 401.
 */
export type Outcome = 'ok' | 'pass' | 'reached' | 'deny' | 'unauth';

export interface MatrixIds extends Fixture {
  ticketA: number;
  alertA: number;
  announcementA: number;
  /** A suspension of team A2, for the lift route. */
  violationA: number;
  trainingA: number;
  requestToApprove: number;
  requestToReject: number;
  webhookA: number;
  webhookA2: number;
  memberDelA: number;
  memberDelA2: number;
  productA: number;
  /** Live sessions of city A that the end route may end, one per allowed caller. */
  sessionEndA: number;
  sessionEndA2: number;
  reconciliationA: number;
}

export interface Row {
  access: Access;
  /** User roles for signed-in routes (the others are 401 by the route's access); every role for public ones. */
  expect: Partial<Record<Role, Outcome>>;
  params?: (ids: MatrixIds, role: Role) => Record<string, string | number>;
  query?: (ids: MatrixIds) => Record<string, string>;
  body?: (ids: MatrixIds, role: Role) => unknown;
  /** Why content of every city is fine here (public contest facts); otherwise the cross-city scan applies. */
  shared?: string;
  /** Not JSON: the body is not scanned (exports are binary workbooks). */
  binary?: true;
  /** Order of running: reads, then writes in table order, then `last` (logout revokes the caller's token). */
  phase?: 'last';
}

const deny: Record<UserRole, Outcome> = { teamB: 'deny', cityB: 'deny', teamA: 'deny', cityA: 'deny', province: 'deny' };
/** The named roles get their outcome; every other user role is refused. */
const only = (o: Partial<Record<UserRole, Outcome>>): Partial<Record<Role, Outcome>> => ({ ...deny, ...o });
const everyone = (o: Outcome): Partial<Record<Role, Outcome>> => ({ teamB: o, cityB: o, teamA: o, cityA: o, province: o });
const staff = only({ province: 'ok', cityA: 'ok', cityB: 'ok' });
const cityAStaff = only({ province: 'ok', cityA: 'ok' });
const viewersOfA1 = only({ province: 'ok', cityA: 'ok', teamA: 'ok' });
const provinceOnly = only({ province: 'ok' });
const publicForAll = (o: Outcome): Partial<Record<Role, Outcome>> => Object.fromEntries(ROLES.map((r) => [r, o]));

const id = (pick: (ids: MatrixIds) => number) => (ids: MatrixIds) => ({ id: pick(ids) });
const soon = (hours: number) => new Date(Date.now() + hours * 3600_000).toISOString();
const slot = (ids: MatrixIds) => ({ teamId: ids.teamA1, accountId: ids.accountA, stageId: ids.stageId, plannedStart: soon(48), plannedEnd: soon(49) });
const items = { products: { ok: true }, roomSetup: { ok: true }, script: { ok: true }, anchorImage: { ok: true } };

export const matrix: Record<string, Row> = {
  // ── public and collector routes
  'POST /api/v1/auth/login': { access: 'public', expect: publicForAll('pass'), body: () => ({}) },
  'GET /api/health': { access: 'public', expect: publicForAll('ok'), shared: 'service status only' },
  'GET /metrics': { access: 'public', expect: publicForAll('ok'), shared: 'loopback operators', binary: true },
  'POST /api/v1/ingest/': {
    access: 'collector',
    expect: { collectorA: 'ok' },
    body: (ids) => ({ events: [{ type: 'stats', id: `mx-${Date.now()}`, sessionId: ids.sessionA1, at: new Date().toISOString(), online: 5, views: 10 }] }),
  },
  'GET /api/v1/ingest/sessions': { access: 'collector', expect: { collectorA: 'ok' } },

  // ── sign-in
  'GET /api/v1/auth/me': { access: 'signed-in', expect: everyone('ok') },
  'POST /api/v1/auth/logout': { access: 'signed-in', expect: everyone('ok'), phase: 'last' },

  // ── registry
  'GET /api/v1/cities/': { access: 'signed-in', expect: everyone('ok'), shared: 'city names are public' },
  'GET /api/v1/cities/:code': { access: 'signed-in', expect: everyone('ok'), params: () => ({ code: CITY_A }), shared: 'city names are public; contacts are not' },
  'PUT /api/v1/cities/:code/contact': {
    access: 'signed-in', expect: cityAStaff, params: () => ({ code: CITY_A }), body: () => ({ contactName: '王五', contactPhone: '13700001111' }),
  },
  'GET /api/v1/universities/': { access: 'signed-in', expect: everyone('ok'), shared: 'universities appear on the scoreboard' },
  'GET /api/v1/universities/:id': { access: 'signed-in', expect: everyone('ok'), params: id((x) => x.uniA), shared: 'universities appear on the scoreboard' },
  'POST /api/v1/universities/': { access: 'signed-in', expect: cityAStaff, body: (_x, role) => ({ name: `矩阵大学-${role}`, cityCode: CITY_A }) },
  'PATCH /api/v1/universities/:id': { access: 'signed-in', expect: cityAStaff, params: id((x) => x.uniA), body: () => ({ role: 'participant' }) },
  'GET /api/v1/teams/': { access: 'signed-in', expect: everyone('ok') },
  'GET /api/v1/teams/:id': { access: 'signed-in', expect: viewersOfA1, params: id((x) => x.teamA1) },
  'POST /api/v1/teams/': {
    access: 'signed-in', expect: cityAStaff, body: (x, role) => ({ name: `矩阵队-${role}`, cityCode: CITY_A, universityId: x.uniA }),
  },
  'PATCH /api/v1/teams/:id': { access: 'signed-in', expect: cityAStaff, params: id((x) => x.teamA1), body: () => ({ contactName: '联系人' }) },
  'GET /api/v1/teams/:id/eligibility': { access: 'signed-in', expect: viewersOfA1, params: id((x) => x.teamA1) },
  'GET /api/v1/members/': { access: 'signed-in', expect: everyone('ok') },
  'GET /api/v1/members/:id': { access: 'signed-in', expect: viewersOfA1, params: id((x) => x.memberA1) },
  'POST /api/v1/members/': {
    access: 'signed-in', expect: cityAStaff, body: (x, role) => ({ teamId: x.teamA1, name: '矩阵', studentNo: `MX-${role}` }),
  },
  'PATCH /api/v1/members/:id/identity': { access: 'signed-in', expect: cityAStaff, params: id((x) => x.memberA1), body: () => ({ status: 'verified' }) },
  'PATCH /api/v1/members/:id/filing': { access: 'signed-in', expect: cityAStaff, params: id((x) => x.memberA1), body: () => ({ status: 'filed' }) },
  // After identity and filing: see the note on MemberUpdate's defaults in test/trust/fuzz.test.ts.
  'PATCH /api/v1/members/:id': { access: 'signed-in', expect: cityAStaff, params: id((x) => x.memberA1), body: () => ({ name: '张三' }) },
  'DELETE /api/v1/members/:id': {
    access: 'signed-in', expect: cityAStaff, params: (x, role) => ({ id: role === 'province' ? x.memberDelA2 : x.memberDelA }),
  },
  'GET /api/v1/accounts/': { access: 'signed-in', expect: staff },
  'GET /api/v1/accounts/:id': { access: 'signed-in', expect: cityAStaff, params: id((x) => x.accountA) },
  'POST /api/v1/accounts/': { access: 'signed-in', expect: cityAStaff, body: (_x, role) => ({ cityCode: CITY_A, accountNo: `MX-${role}`, label: '矩阵' }) },
  'PATCH /api/v1/accounts/:id': { access: 'signed-in', expect: cityAStaff, params: id((x) => x.accountA), body: () => ({ note: 'checked' }) },
  'GET /api/v1/account-requests/': { access: 'signed-in', expect: staff },
  'GET /api/v1/account-requests/:id': { access: 'signed-in', expect: cityAStaff, params: id((x) => x.requestToApprove) },
  'POST /api/v1/account-requests/': {
    access: 'signed-in', expect: only({ cityA: 'ok' }), body: () => ({ cityCode: CITY_A, applicant: '李四', details: { 用途: '直播' } }),
  },
  'POST /api/v1/account-requests/:id/approve': {
    access: 'signed-in', expect: provinceOnly, params: id((x) => x.requestToApprove), body: () => ({ accountNo: 'MX-APPROVED', label: '新号' }),
  },
  'POST /api/v1/account-requests/:id/reject': {
    access: 'signed-in', expect: provinceOnly, params: id((x) => x.requestToReject), body: () => ({ note: '暂不需要' }),
  },

  // ── schedule
  'GET /api/v1/sessions/': { access: 'signed-in', expect: everyone('ok') },
  'GET /api/v1/sessions/check': {
    access: 'signed-in', expect: cityAStaff, query: (x) => Object.fromEntries(Object.entries(slot(x)).map(([k, v]) => [k, String(v)])),
  },
  'POST /api/v1/sessions/check': { access: 'signed-in', expect: cityAStaff, body: (x) => slot(x) },
  'GET /api/v1/sessions/export.xlsx': { access: 'signed-in', expect: everyone('ok'), binary: true },
  'GET /api/v1/sessions/:id': { access: 'signed-in', expect: viewersOfA1, params: id((x) => x.sessionA1) },
  'GET /api/v1/sessions/:id/live': { access: 'signed-in', expect: viewersOfA1, params: id((x) => x.sessionA1) },
  'GET /api/v1/sessions/:id/timeline': { access: 'signed-in', expect: viewersOfA1, params: id((x) => x.sessionA1) },
  'GET /api/v1/sessions/:id/checklist': { access: 'signed-in', expect: viewersOfA1, params: id((x) => x.sessionA1) },
  'GET /api/v1/sessions/:id/manual-stats': { access: 'signed-in', expect: viewersOfA1, params: id((x) => x.sessionA1) },
  // Session A1 has collector sales a minute old, so an entry is refused (409 collector.active) after the scope check.
  'POST /api/v1/sessions/:id/manual-stats': {
    access: 'signed-in', expect: only({ province: 'pass', cityA: 'pass', teamA: 'pass' }), params: id((x) => x.sessionA1),
    body: (_x, role) => ({ key: `matrix-${role}`, online: 3, views: 30, gmvFen: 0, orders: 0 }),
  },
  // The fixture's stage is past its lock: city staff get 423 and the province 400 (no reason), after the scope check.
  'POST /api/v1/sessions/': { access: 'signed-in', expect: only({ province: 'pass', cityA: 'pass' }), body: (x) => slot(x) },
  'PATCH /api/v1/sessions/:id': {
    access: 'signed-in', expect: only({ province: 'pass', cityA: 'pass' }), params: id((x) => x.sessionA1), body: () => ({ title: '改名' }),
  },
  'POST /api/v1/sessions/:id/cancel': {
    access: 'signed-in', expect: only({ province: 'pass', cityA: 'pass' }), params: id((x) => x.sessionA1), body: () => ({}),
  },
  'POST /api/v1/sessions/:id/end': {
    access: 'signed-in', expect: cityAStaff, params: (x, role) => ({ id: role === 'province' ? x.sessionEndA2 : x.sessionEndA }), body: () => ({}),
  },
  'PUT /api/v1/sessions/:id/checklist': { access: 'signed-in', expect: only({ teamA: 'ok' }), params: id((x) => x.sessionA1), body: () => ({ items }) },
  'POST /api/v1/sessions/:id/checklist/approve': {
    access: 'signed-in', expect: only({ cityA: 'ok', province: 'pass' }), params: id((x) => x.sessionA1), body: () => ({}),
  },
  'POST /api/v1/sessions/:id/checklist/return': {
    access: 'signed-in', expect: only({ cityA: 'pass', province: 'pass' }), params: id((x) => x.sessionA1), body: () => ({ reason: '请补充话术' }),
  },
  'GET /api/v1/stages/': { access: 'signed-in', expect: everyone('ok'), shared: 'the contest calendar is public' },
  'GET /api/v1/stages/:id': { access: 'signed-in', expect: everyone('ok'), params: id((x) => x.stageId), shared: 'the contest calendar is public' },
  'POST /api/v1/stages/': {
    access: 'signed-in', expect: provinceOnly, body: () => ({ name: '矩阵赛段', kind: 'other', startsAt: soon(24 * 10), endsAt: soon(24 * 11) }),
  },
  'PATCH /api/v1/stages/:id': { access: 'signed-in', expect: provinceOnly, params: id((x) => x.stageId), body: () => ({ name: '初赛' }) },
  // A stage is every city's: each city's staff report their own schedule for it.
  'POST /api/v1/stages/:id/reports': { access: 'signed-in', expect: only({ cityA: 'ok', cityB: 'ok' }), params: id((x) => x.stageId) },
  'GET /api/v1/stages/:id/reports': { access: 'signed-in', expect: staff, params: id((x) => x.stageId) },
  'GET /api/v1/stages/:id/placements': { access: 'signed-in', expect: everyone('ok'), params: id((x) => x.stageId), shared: 'placements are contest results' },
  'POST /api/v1/stages/:id/placements': { access: 'signed-in', expect: provinceOnly, params: id((x) => x.stageId), body: (x) => [{ teamId: x.teamA1, rank: 1 }] },
  'GET /api/v1/settings/': { access: 'signed-in', expect: provinceOnly },
  'GET /api/v1/settings/:key': { access: 'signed-in', expect: provinceOnly, params: () => ({ key: 'checklist.blocksLive' }) },
  'PUT /api/v1/settings/:key': { access: 'signed-in', expect: provinceOnly, params: () => ({ key: 'checklist.blocksLive' }), body: () => ({ value: false }) },
  // The public scoreboard: closed (404 未开放) until the province opens it; open, it carries names and ranks only.
  'GET /api/v1/public/scoreboard': { access: 'public', expect: publicForAll('reached'), shared: 'the public scoreboard: names and ranks, no personal data' },
  'GET /api/v1/scoreboard': { access: 'signed-in', expect: provinceOnly },
  'POST /api/v1/scoreboard/freeze': { access: 'signed-in', expect: provinceOnly },
  'POST /api/v1/scoreboard/unfreeze': { access: 'signed-in', expect: provinceOnly },

  // ── registration import and exports (staff; the city of an import is in the file)
  'POST /api/v1/imports/:kind/preview': {
    access: 'signed-in', expect: only({ province: 'pass', cityA: 'pass', cityB: 'pass' }), params: () => ({ kind: 'registration' }), body: () => ({}),
  },
  'POST /api/v1/imports/:kind/commit': {
    access: 'signed-in', expect: only({ province: 'reached', cityA: 'reached', cityB: 'reached' }), params: () => ({ kind: 'registration' }),
    body: () => ({ token: 'not-a-preview-token' }),
  },
  'GET /api/v1/imports/:kind/template.xlsx': { access: 'signed-in', expect: everyone('ok'), params: () => ({ kind: 'registration' }), binary: true },
  'GET /api/v1/exports/registration.xlsx': { access: 'signed-in', expect: staff, binary: true },
  'GET /api/v1/exports/shops.xlsx': { access: 'signed-in', expect: staff, binary: true },

  // ── training, samples
  'GET /api/v1/trainings/coverage': { access: 'signed-in', expect: staff },
  'GET /api/v1/trainings/': { access: 'signed-in', expect: everyone('ok') },
  'GET /api/v1/trainings/:id': { access: 'signed-in', expect: viewersOfA1, params: id((x) => x.trainingA) },
  'POST /api/v1/trainings/': {
    access: 'signed-in', expect: cityAStaff, body: () => ({ title: '矩阵培训', topic: 'other', mode: 'online', heldAt: new Date().toISOString(), cityCode: CITY_A }),
  },
  'POST /api/v1/trainings/:id/attendance': {
    access: 'signed-in', expect: only({ cityA: 'ok', province: 'pass' }), params: id((x) => x.trainingA), body: (x) => ({ teamId: x.teamA1 }),
  },
  'GET /api/v1/products': { access: 'signed-in', expect: everyone('ok') },
  'POST /api/v1/samples': {
    access: 'signed-in', expect: cityAStaff, body: (x) => ({ teamId: x.teamA1, productId: x.productA, kind: 'issue', quantity: 1 }),
  },
  'GET /api/v1/samples': { access: 'signed-in', expect: everyone('ok') },
  'GET /api/v1/samples/outstanding': { access: 'signed-in', expect: everyone('ok') },

  // ── compliance, incentives, audit, deadlines
  'GET /api/v1/violations/': { access: 'signed-in', expect: everyone('ok') },
  // Team A2's violation: team A1 is another team, so it is refused too.
  'GET /api/v1/violations/:id': { access: 'signed-in', expect: cityAStaff, params: id((x) => x.violationA) },
  'POST /api/v1/violations/': {
    access: 'signed-in', expect: cityAStaff, body: (x) => ({ teamId: x.teamA1, kind: 'other', evidence: '录屏', decision: 'warning', reason: '提醒' }),
  },
  'POST /api/v1/violations/:id/lift': {
    access: 'signed-in', expect: only({ cityA: 'ok', province: 'pass' }), params: id((x) => x.violationA), body: () => ({ reason: '已整改完毕' }),
  },
  'GET /api/v1/incentives': { access: 'signed-in', expect: staff },
  'POST /api/v1/incentives/recompute': { access: 'signed-in', expect: provinceOnly },
  'POST /api/v1/incentives/adjustments': { access: 'signed-in', expect: provinceOnly, body: () => ({ cityCode: CITY_A, points: 1, note: '矩阵调整' }) },
  'GET /api/v1/incentives/settings': { access: 'signed-in', expect: staff },
  'PUT /api/v1/incentives/settings': { access: 'signed-in', expect: provinceOnly, body: () => ({ finalTopN: 10 }) },
  'GET /api/v1/incentives/export.xlsx': { access: 'signed-in', expect: staff, binary: true },
  'GET /api/v1/audit/': { access: 'signed-in', expect: provinceOnly },
  'GET /api/v1/deadlines/': { access: 'signed-in', expect: staff },
  'GET /api/v1/verify/': { access: 'signed-in', expect: provinceOnly },

  // ── alerts and tickets
  'GET /api/v1/alerts': { access: 'signed-in', expect: everyone('ok') },
  'GET /api/v1/alerts/thresholds': { access: 'signed-in', expect: provinceOnly },
  'PUT /api/v1/alerts/thresholds': { access: 'signed-in', expect: provinceOnly, body: () => ({}) },
  'GET /api/v1/alerts/:id': { access: 'signed-in', expect: viewersOfA1, params: id((x) => x.alertA) },
  'GET /api/v1/tickets/': { access: 'signed-in', expect: everyone('ok') },
  // Each team opens tickets for itself.
  'POST /api/v1/tickets/': { access: 'signed-in', expect: only({ teamA: 'ok', teamB: 'ok' }), body: () => ({ kind: 'other', text: '矩阵测试' }) },
  'GET /api/v1/tickets/stats': { access: 'signed-in', expect: staff },
  'GET /api/v1/tickets/sla': { access: 'signed-in', expect: everyone('ok'), shared: 'the SLA is the same for everyone' },
  'PUT /api/v1/tickets/sla': { access: 'signed-in', expect: provinceOnly, body: () => ({}) },
  'GET /api/v1/tickets/:id': { access: 'signed-in', expect: viewersOfA1, params: id((x) => x.ticketA) },
  'POST /api/v1/tickets/:id/claim': { access: 'signed-in', expect: only({ cityA: 'ok', province: 'pass' }), params: id((x) => x.ticketA) },
  'POST /api/v1/tickets/:id/ack': { access: 'signed-in', expect: only({ cityA: 'ok', province: 'pass' }), params: id((x) => x.ticketA) },
  'POST /api/v1/tickets/:id/comments': { access: 'signed-in', expect: viewersOfA1, params: id((x) => x.ticketA), body: () => ({ text: '收到' }) },
  'POST /api/v1/tickets/:id/resolve': { access: 'signed-in', expect: only({ cityA: 'ok', province: 'pass' }), params: id((x) => x.ticketA), body: () => ({}) },
  'POST /api/v1/tickets/:id/reopen': { access: 'signed-in', expect: only({ teamA: 'ok' }), params: id((x) => x.ticketA) },

  // ── analysis, reconciliation and reports
  'GET /api/v1/sessions/:id/analysis': { access: 'signed-in', expect: viewersOfA1, params: id((x) => x.sessionA1) },
  'GET /api/v1/sessions/:id/analysis.xlsx': { access: 'signed-in', expect: viewersOfA1, params: id((x) => x.sessionA1), binary: true },
  // Session A1 is still live, so the record cannot be written yet (409), after the permission check.
  'PUT /api/v1/sessions/:id/analysis/reflection': {
    access: 'signed-in', expect: only({ teamA: 'pass' }), params: id((x) => x.sessionA1),
    body: () => ({ wentWell: '互动好', wentWrong: '断流', toChange: '换网络', keepProducts: '蜜桔', dropProducts: '无' }),
  },
  'PUT /api/v1/sessions/:id/analysis/comment': {
    access: 'signed-in', expect: only({ cityA: 'pass', province: 'pass' }), params: id((x) => x.sessionA1), body: () => ({ text: '继续努力' }),
  },
  'GET /api/v1/analysis/completeness': {
    access: 'signed-in', expect: everyone('ok'),
    // Reported: a team gets a row for each of the 11 cities (all zeros); only city names cross over, no figures.
    shared: 'city names with zero counts for teams',
  },
  'GET /api/v1/rankings': { access: 'signed-in', expect: everyone('ok'), query: (x) => ({ stageId: String(x.stageId) }), shared: 'rankings are public (公开)' },
  'GET /api/v1/reconciliation/formats': { access: 'signed-in', expect: staff },
  'PUT /api/v1/reconciliation/formats/:name': {
    access: 'signed-in', expect: cityAStaff, params: () => ({ name: 'youle' }),
    body: () => ({ cityCode: CITY_A, mapping: { orderId: '订单号', amount: '金额', status: '状态' } }),
  },
  // After the format exists: allowed callers get 400 for the missing upload, after the scope check.
  'POST /api/v1/reconciliation/': {
    access: 'signed-in', expect: only({ cityA: 'pass', province: 'pass' }), query: (x) => ({ format: 'youle', sessionId: String(x.sessionA1) }),
  },
  'GET /api/v1/reconciliation/': { access: 'signed-in', expect: staff },
  'GET /api/v1/reconciliation/:id': { access: 'signed-in', expect: cityAStaff, params: id((x) => x.reconciliationA) },
  'GET /api/v1/reports/city/:code.xlsx': { access: 'signed-in', expect: cityAStaff, params: () => ({ code: CITY_A }), binary: true },
  'GET /api/v1/reports/city/:code': { access: 'signed-in', expect: cityAStaff, params: () => ({ code: CITY_A }) },
  'GET /api/v1/reports/province.xlsx': { access: 'signed-in', expect: provinceOnly, binary: true },
  'GET /api/v1/reports/province': { access: 'signed-in', expect: provinceOnly },

  // ── announcements and webhooks
  'POST /api/v1/announcements/': {
    access: 'signed-in', expect: cityAStaff, body: () => ({ title: '矩阵通知', body: '内容', kind: 'other', cityCode: CITY_A }),
  },
  'GET /api/v1/announcements/': { access: 'signed-in', expect: everyone('ok') },
  'GET /api/v1/announcements/:id': { access: 'signed-in', expect: viewersOfA1, params: id((x) => x.announcementA) },
  'POST /api/v1/announcements/:id/read': { access: 'signed-in', expect: only({ teamA: 'ok' }), params: id((x) => x.announcementA) },
  // Only the sender (city A's staff) sees who read its announcement, not even the province.
  'GET /api/v1/announcements/:id/reads': { access: 'signed-in', expect: only({ cityA: 'ok' }), params: id((x) => x.announcementA) },
  'POST /api/v1/webhooks/': {
    access: 'signed-in', expect: cityAStaff, body: () => ({ kind: 'json', url: 'https://example.invalid/hook?key=secret', events: ['alerts'], cityCode: CITY_A }),
  },
  'GET /api/v1/webhooks/': { access: 'signed-in', expect: staff },
  'GET /api/v1/webhooks/:id/deliveries': { access: 'signed-in', expect: cityAStaff, params: id((x) => x.webhookA) },
  'DELETE /api/v1/webhooks/:id': { access: 'signed-in', expect: cityAStaff, params: (x, role) => ({ id: role === 'province' ? x.webhookA2 : x.webhookA }) },
};

// ───────── socket events

export type AckOutcome = 'ok' | 'FORBIDDEN' | 'UNAUTHENTICATED';
export interface SocketRow {
  payload: (ids: MatrixIds) => unknown;
  /** Roles that connect (users and the collector key); the rest fail at the handshake. */
  expect: Record<UserRole | 'collectorA', AckOutcome>;
  /** The snapshot an allowed subscription sends; a refused one must send none. */
  snapshot?: 'wall:snapshot' | 'city:snapshot' | 'session:snapshot';
}

const users = (o: AckOutcome) => ({ teamB: o, cityB: o, teamA: o, cityA: o, province: o });
const ackOnly = (o: Partial<Record<UserRole | 'collectorA', AckOutcome>>): Record<UserRole | 'collectorA', AckOutcome> => ({
  ...users('FORBIDDEN'),
  collectorA: 'UNAUTHENTICATED',
  ...o,
});

/** Every ClientToServerEvents name must have a row: a new event without one does not compile. */
export const socketMatrix: Record<keyof ClientToServerEvents, SocketRow> = {
  'wall:subscribe': { payload: () => ({}), expect: ackOnly({ province: 'ok' }), snapshot: 'wall:snapshot' },
  'city:subscribe': { payload: () => ({ cityCode: CITY_A }), expect: ackOnly({ province: 'ok', cityA: 'ok' }), snapshot: 'city:snapshot' },
  'session:subscribe': {
    payload: (x) => ({ sessionId: x.sessionA1 }), expect: ackOnly({ province: 'ok', cityA: 'ok', teamA: 'ok' }), snapshot: 'session:snapshot',
  },
  // Leaving a room one is not in is harmless, so unsubscribing needs no scope (and sends nothing).
  'wall:unsubscribe': { payload: () => ({}), expect: { ...users('ok'), collectorA: 'ok' } },
  'city:unsubscribe': { payload: () => ({ cityCode: CITY_A }), expect: { ...users('ok'), collectorA: 'ok' } },
  'session:unsubscribe': { payload: (x) => ({ sessionId: x.sessionA1 }), expect: { ...users('ok'), collectorA: 'ok' } },
  'ingest:batch': {
    payload: (x) => ({ events: [{ type: 'stats', id: `mx-sock-${Date.now()}`, sessionId: x.sessionA1, at: new Date().toISOString(), online: 3, views: 12 }] }),
    expect: { ...users('UNAUTHENTICATED'), collectorA: 'ok' },
  },
  // A team syncs its own alerts without a city filter; naming a city is staff's, so it is refused even for its own.
  'alert:sync': { payload: () => ({ cityCode: CITY_A }), expect: ackOnly({ province: 'ok', cityA: 'ok' }) },
  'ticket:open': { payload: () => ({ kind: 'other', text: '矩阵' }), expect: ackOnly({ teamA: 'ok', teamB: 'ok' }) },
};

// ───────── what must not leak

/** Full fixture phone numbers (11 digits on their own): below the province, only a team's own may appear. */
export const PHONE = /(?<!\d)1\d{10}(?!\d)/g;
export const OWN_PHONES: Record<'teamA' | 'teamB', string[]> = {
  teamA: ['13812341234', '15900001111', '18800001234'],
  teamB: ['13900000003'],
};
/** Data of a city that the other city's staff, teams and collectors must never receive. */
export const CITY_MARKS = {
  A: [CITY_A, '赣鄱新农人', '红土地优品', '南昌大学', 'OMS-A-1'],
  B: [CITY_B, '瓷都青年', '景德镇陶瓷大学', 'OMS-B-1'],
} as const;
/** Which city's marks each caller must not see. */
export const FOREIGN: Partial<Record<Role, 'A' | 'B'>> = { cityA: 'B', teamA: 'B', collectorA: 'B', cityB: 'A', teamB: 'A' };

// ───────── setup: tokens per role and throwaway resources

export interface MatrixSetup {
  ids: MatrixIds;
  tokens: Record<Exclude<Role, 'anonymous'>, string>;
}

export async function setupMatrix(h: TestHub): Promise<MatrixSetup> {
  const { prisma } = h.db;
  const fx = h.fx;
  const u = fx.users;
  const [province, cityA, cityB, teamA, teamB] = await Promise.all([u.province, u.cityA, u.cityB, u.teamA1, u.teamB1].map((n) => h.login(n)));
  const collectorA = (await createCollectorKey(h.db, { cityCode: CITY_A })).key;
  const revoked = await createCollectorKey(h.db, { cityCode: CITY_A });
  await prisma.collectorKey.update({ where: { id: revoked.id }, data: { revokedAt: new Date() } });
  const expiredToken = newSecret('gy');
  const cityAUser = await prisma.user.findUniqueOrThrow({ where: { username: u.cityA } });
  await prisma.authToken.create({ data: { tokenHash: sha256(expiredToken), userId: cityAUser.id, expiresAt: new Date(Date.now() - 60_000) } });

  const post = async (token: string, path: string, body: unknown): Promise<number> => {
    const r = await h.req('POST', path, { token, body });
    if (r.status !== 201) throw new Error(`setup ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return (r.body as { id: number }).id;
  };
  const ticketA = await post(teamA!, '/api/v1/tickets', { kind: 'equipment', text: '声卡坏了', sessionId: fx.sessionA1 });
  const announcementA = await post(cityA!, '/api/v1/announcements', { title: '开播提醒', body: '请准时开播', kind: 'schedule' });
  const violationA = await post(cityA!, '/api/v1/violations', { teamId: fx.teamA2, kind: 'script', evidence: '录屏', decision: 'suspension', reason: '话术违规' });
  const requestToApprove = await post(cityA!, '/api/v1/account-requests', { applicant: '王五', phone: '13711112222', details: { 姓名: '王五' } });
  const requestToReject = await post(cityA!, '/api/v1/account-requests', { applicant: '赵六', details: { 姓名: '赵六' } });
  const alert = await prisma.alert.create({
    data: { key: `mx:${fx.sessionA1}`, rule: 'silent', severity: 'warning', sessionId: fx.sessionA1, teamId: fx.teamA1, cityCode: CITY_A, message: '断流' },
  });
  const training = await prisma.training.create({
    data: { cityCode: CITY_A, title: '平台基础', topic: 'platform_basics', mode: 'offline', heldAt: new Date(Date.now() - 86_400_000), createdBy: cityAUser.id },
  });
  const hook = { cityCode: CITY_A, kind: 'json' as const, url: 'https://example.invalid/a?key=k', events: ['alerts'], createdBy: cityAUser.id };
  const [webhookA, webhookA2] = await Promise.all([prisma.webhookEndpoint.create({ data: hook }), prisma.webhookEndpoint.create({ data: hook })]);
  const [memberDelA, memberDelA2] = await Promise.all(
    ['MXDEL-1', 'MXDEL-2'].map((studentNo) => prisma.member.create({ data: { teamId: fx.teamA1, name: '待删', studentNo } })),
  );
  const product = await prisma.product.create({ data: { cityCode: CITY_A, name: '南丰蜜桔', unit: '箱', priceFen: 5900 } });
  const now = Date.now();
  const liveSlot = { stageId: fx.stageId, teamId: fx.teamA2, cityCode: CITY_A, status: 'live' as const, plannedStart: new Date(now - 3600_000), plannedEnd: new Date(now + 3600_000) };
  const [endA, endA2] = await Promise.all([prisma.liveSession.create({ data: liveSlot }), prisma.liveSession.create({ data: liveSlot })]);
  await h.hub.live.directory.refresh();
  const reconciliation = await prisma.reconciliation.create({
    data: { cityCode: CITY_A, sessionId: fx.sessionA1, format: 'youle', fileRows: 0, result: {}, createdBy: cityAUser.id },
  });
  // Recorded sales, so session A1 has an analysis to read.
  const sale = { type: 'order', id: 'mx-setup-1', sessionId: fx.sessionA1, at: new Date(now - 60_000).toISOString(), orderId: 'mx-o-1', quantity: 1, amountFen: 5900 };
  const ing = await h.req('POST', '/api/v1/ingest', { token: collectorA, body: { events: [sale] } });
  if (ing.status !== 200 || ing.body.accepted !== 1) throw new Error(`setup ingest: ${JSON.stringify(ing.body)}`);
  await h.hub.live.persister?.drain();

  return {
    ids: {
      ...fx,
      ticketA, alertA: alert.id, announcementA, violationA, trainingA: training.id, requestToApprove, requestToReject,
      webhookA: webhookA.id, webhookA2: webhookA2.id, memberDelA: memberDelA!.id, memberDelA2: memberDelA2!.id, productA: product.id,
      sessionEndA: endA.id, sessionEndA2: endA2.id, reconciliationA: reconciliation.id,
    },
    tokens: {
      province: province!, cityA: cityA!, cityB: cityB!, teamA: teamA!, teamB: teamB!,
      collectorA, revokedKey: revoked.key, expiredToken,
    },
  };
}

/** `/api/v1/teams/:id` with the params filled in. */
export function fillPath(path: string, params: Record<string, string | number>): string {
  return path.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`no value for :${name} in ${path}`);
    return encodeURIComponent(String(v));
  });
}
