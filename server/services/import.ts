// Registration import (preview, then commit all-or-nothing) and export: the database side of the 附件1/附件2
// sheets. The rules themselves live in domain/registration.ts.
import { randomBytes } from 'node:crypto';
import type { Prisma, PrismaClient } from '../db/generated/client.ts';
import type { Clock } from '../clock';
import {
  REGISTRATION_COLUMNS,
  SHOP_COLUMNS,
  type ImportError,
  type ImportKind,
  type RegistrationRow,
  type ShopRow,
} from '../../contracts/imports';
import {
  allRows,
  checkRegistration,
  checkShops,
  parseRegistration,
  parseShops,
  type Parsed,
  type PlannedShop,
  type PlannedTeam,
} from '../domain/registration';
import { canSeePhones, maskPhone, type Actor } from '../domain/permissions';
import { AppError, forbidden, notFound } from '../http/errors';
import { audit } from './audit';
import { writeWorkbook, type SheetSpec } from './spreadsheet';

type Db = PrismaClient | Prisma.TransactionClient;

export const MAX_LISTED_ERRORS = 500;
const byRowThenColumn = (a: ImportError, b: ImportError) => a.row - b.row || a.column.localeCompare(b.column);

// ───────────── previews held between preview and commit ─────────────

export type ParsedImport =
  | { kind: 'registration'; rows: number; items: Parsed<RegistrationRow>['items'] }
  | { kind: 'shops'; rows: number; items: Parsed<ShopRow>['items'] };

interface Held {
  userId: number;
  expiresAt: number;
  parsed: ParsedImport;
}

/**
 * Previews kept in this process for `ttlMs`, keyed by an unguessable token and bound to the user who made
 * them. Behind several hubs the commit must reach the hub that made the preview (sticky sessions).
 */
export class PreviewStore {
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly clock: Clock,
    readonly ttlMs = 30 * 60_000,
    private readonly maxEntries = 200,
  ) {}

  put(userId: number, parsed: ParsedImport): { token: string; expiresAt: number } {
    this.sweep();
    // Bounded memory: the oldest previews go first (a Map iterates in insertion order).
    while (this.held.size >= this.maxEntries) {
      const oldest = this.held.keys().next();
      if (oldest.done) break;
      this.held.delete(oldest.value);
    }
    const token = randomBytes(24).toString('base64url');
    const expiresAt = this.clock.now() + this.ttlMs;
    this.held.set(token, { userId, expiresAt, parsed });
    return { token, expiresAt };
  }

  /** Removes and returns the preview, so two commits of one token cannot both run; `restore` puts it back. */
  take(token: string, userId: number, kind: ImportKind): { parsed: ParsedImport; restore(): void } {
    const h = this.held.get(token);
    if (!h || h.expiresAt <= this.clock.now() || h.parsed.kind !== kind) throw notFound('Import preview (unknown or expired)');
    if (h.userId !== userId) throw forbidden('This preview belongs to another user');
    this.held.delete(token);
    return { parsed: h.parsed, restore: () => this.held.set(token, h) };
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [k, h] of this.held) if (h.expiresAt <= now) this.held.delete(k);
  }
}

// ───────────── checks against the database ─────────────

const scopeCityOf = (a: Actor) => (a.role === 'province' ? undefined : a.cityCode);

async function registrationContext(db: Db, a: Actor, items: Parsed<RegistrationRow>['items']) {
  const uniNames = [...new Set(items.map((i) => i.university))];
  const teamNames = [...new Set(items.map((i) => i.teamName))];
  const studentNos = [...new Set(items.map((i) => i.studentNo))];
  const universities = await db.university.findMany({ where: { name: { in: uniNames } }, select: { id: true, name: true, cityCode: true } });
  const [existingTeams, students] = await Promise.all([
    db.team.findMany({ where: { name: { in: teamNames } }, select: { cityCode: true, name: true } }),
    db.member.findMany({
      where: { studentNo: { in: studentNos }, team: { universityId: { in: universities.map((u) => u.id) } } },
      select: { studentNo: true, team: { select: { name: true, universityId: true } } },
    }),
  ]);
  const scopeCity = scopeCityOf(a);
  return {
    ...(scopeCity ? { scopeCity } : {}),
    universities,
    existingTeams,
    existingStudents: students.map((s) => ({ universityId: s.team.universityId, studentNo: s.studentNo, teamName: s.team.name })),
  };
}

async function shopContext(db: Db, a: Actor, items: Parsed<ShopRow>['items']) {
  const scopeCity = scopeCityOf(a);
  const [teams, holders] = await Promise.all([
    db.team.findMany({
      where: { name: { in: [...new Set(items.map((i) => i.teamName))] }, ...(scopeCity ? { cityCode: scopeCity } : {}) },
      select: { id: true, name: true, cityCode: true, youleShopId: true, phone: true, university: { select: { name: true } } },
    }),
    db.team.findMany({
      where: { youleShopId: { in: [...new Set(items.map((i) => i.youleShopId))] } },
      select: { id: true, name: true, youleShopId: true },
    }),
  ]);
  return {
    ...(scopeCity ? { scopeCity } : {}),
    teams: teams.map((t) => ({ id: t.id, name: t.name, cityCode: t.cityCode, universityName: t.university.name, youleShopId: t.youleShopId, phone: t.phone })),
    shopHolders: holders.flatMap((h) => (h.youleShopId ? [{ teamId: h.id, teamName: h.name, youleShopId: h.youleShopId }] : [])),
  };
}

export interface Checked {
  parsed: ParsedImport;
  errors: ImportError[];
  summary: Record<string, number>;
  teams?: PlannedTeam[];
  shops?: PlannedShop[];
}

/** Parses a sheet and runs every check; writes nothing. */
export async function checkImport(db: Db, a: Actor, kind: ImportKind, grid: string[][]): Promise<Checked> {
  // The cross-row checks see the partial rows too; only fully parsed rows are kept for the commit, which
  // a preview with any error never reaches.
  let parsed: ParsedImport;
  let checked: Checked;
  let parseErrors: ImportError[];
  if (kind === 'registration') {
    const p = parseRegistration(grid);
    parsed = { kind, rows: p.rows, items: p.items };
    checked = await recheck(db, a, { kind, rows: p.rows, items: allRows(p) });
    parseErrors = p.errors;
  } else {
    const p = parseShops(grid);
    parsed = { kind, rows: p.rows, items: p.items };
    checked = await recheck(db, a, { kind, rows: p.rows, items: allRows(p) });
    parseErrors = p.errors;
  }
  return { ...checked, parsed, errors: [...parseErrors, ...checked.errors].sort(byRowThenColumn) };
}

/** The cross-row and database checks for already parsed rows (run again at commit: the database may have moved). */
async function recheck(db: Db, a: Actor, parsed: ParsedImport): Promise<Checked> {
  if (parsed.kind === 'registration') {
    const c = checkRegistration(parsed.items, await registrationContext(db, a, parsed.items));
    return { parsed, errors: c.errors, summary: { rows: parsed.rows, ...c.summary }, teams: c.teams };
  }
  const c = checkShops(parsed.items, await shopContext(db, a, parsed.items));
  return { parsed, errors: c.errors, summary: { rows: parsed.rows, ...c.summary }, shops: c.shops };
}

// ───────────── commit ─────────────

/** Writes a previewed import in one transaction, re-checking it first; nothing is written if anything fails. */
export async function commitImport(prisma: PrismaClient, a: Actor, parsed: ParsedImport): Promise<Record<string, number>> {
  return prisma.$transaction(
    async (tx) => {
      const c = await recheck(tx, a, parsed);
      if (c.errors.length)
        throw new AppError(
          'CONFLICT',
          'The data changed since the preview; preview the file again',
          c.errors.slice(0, 50).map((e) => ({ path: `row ${e.row}.${e.column}`, message: e.message })),
        );
      if (c.teams) await writeTeams(tx, a, c.teams);
      if (c.shops) await writeShops(tx, a, c.shops);
      await audit(tx, a, { action: `import.${parsed.kind}`, entity: 'Import', entityId: parsed.kind, cityCode: scopeCityOf(a) ?? null, after: c.summary });
      return c.summary;
    },
    // A few thousand rows take longer than Prisma's 5 s default.
    { timeout: 120_000, maxWait: 20_000 },
  );
}

async function writeTeams(tx: Prisma.TransactionClient, a: Actor, teams: PlannedTeam[]): Promise<void> {
  const created = await tx.team.createManyAndReturn({
    data: teams.map((t) => ({ name: t.name, cityCode: t.cityCode, universityId: t.universityId, contactName: t.contactName, contactPhone: t.contactPhone })),
  });
  const idOf = new Map(created.map((t) => [`${t.cityCode}|${t.name}`, t]));
  const pairs = teams.map((t) => {
    const row = idOf.get(`${t.cityCode}|${t.name}`);
    if (!row) throw new AppError('INTERNAL', 'A created team went missing');
    return { plan: t, row };
  });
  await tx.member.createMany({
    data: pairs.flatMap(({ plan, row }) =>
      plan.members.map((m) => ({
        teamId: row.id, name: m.name, studentNo: m.studentNo, role: m.role, onCamera: m.onCamera, phone: m.phone,
        anchorFiling: m.onCamera ? ('pending' as const) : ('not_required' as const),
      })),
    ),
  });
  // One entry per team (members inside), so a team's history starts with its registration.
  for (const { plan, row } of pairs)
    await audit(tx, a, {
      action: 'team.import',
      entity: 'Team',
      entityId: row.id,
      cityCode: row.cityCode,
      after: { ...row, members: plan.members.map(({ row: _r, ...m }) => m) },
    });
}

async function writeShops(tx: Prisma.TransactionClient, a: Actor, shops: PlannedShop[]): Promise<void> {
  for (const s of shops) {
    if (!s.changed) continue;
    const before = await tx.team.findUniqueOrThrow({ where: { id: s.teamId }, select: { id: true, youleShopId: true, phone: true } });
    const after = await tx.team.update({ where: { id: s.teamId }, data: { youleShopId: s.youleShopId, phone: s.phone }, select: { id: true, youleShopId: true, phone: true } });
    await audit(tx, a, { action: 'team.shop', entity: 'Team', entityId: s.teamId, cityCode: s.cityCode, before, after });
  }
}

// ───────────── templates and exports ─────────────

const INSTRUCTIONS: Record<ImportKind, string[]> = {
  registration: [
    '“赣邮杯·我为家乡代言”大学生电商直播大赛 报名表（附件1）填写说明',
    '每行填写一名团队成员；同一团队的多名成员可重复填写团队名称与所属高校，也可留空（沿用上一行）。',
    '所属高校须为本赛区已登记的高校全称。',
    '角色：队长 / 主播 / 运营 / 其他；每队一名队长。',
    '是否出镜：是 / 否；留空时主播视为出镜，其他角色视为不出镜。出镜成员须完成主播备案后方可开播。',
    '学号、手机号请按文本填写（模板已设为文本格式），手机号为 11 位大陆手机号。',
    '上传后先预览校验，无错误后再确认导入；导入为全部成功或全部不导入。',
  ],
  shops: [
    '邮乐小店ID / 注册手机号（附件2）填写说明',
    '每个参赛团队一行；团队须已在本系统登记。',
    '如不同赛区存在同名团队，请填写所属高校以便区分。',
    '邮乐小店ID：字母、数字、下划线或短横线；一个小店只能对应一个团队。',
    '注册手机号为 11 位大陆手机号。再次导入将覆盖原有小店信息，所有修改均记入审计日志。',
  ],
};

export async function templateWorkbook(kind: ImportKind): Promise<Buffer> {
  const cols = kind === 'registration' ? REGISTRATION_COLUMNS : SHOP_COLUMNS;
  return writeWorkbook([
    {
      name: kind === 'registration' ? '报名表' : '邮乐小店',
      columns: cols.map((c) => ({ header: c.header, ...(c.text ? { text: true } : {}) })),
      rows: [cols.map((c) => c.example)],
    },
    { name: '说明', columns: [{ header: '说明', width: 100 }], rows: INSTRUCTIONS[kind].map((l) => [l]) },
  ]);
}

const ROLE_ZH = { leader: '队长', anchor: '主播', operator: '运营', support: '其他' } as const;
const CHECK_ZH = { pending: '待核实', verified: '已核实', rejected: '未通过' } as const;
const FILING_ZH = { not_required: '无需备案', pending: '待备案', filed: '已备案', rejected: '备案未通过' } as const;
const TEAM_ZH = { active: '正常', suspended: '停播整改', disqualified: '取消资格', withdrawn: '已退赛' } as const;

/**
 * Phones in full only for whoever sees them in full on screen (the province); city staff get them masked.
 * The city's duty is to report to the province, which it does through the hub, so no full-phone copy needs to
 * leave it from a city desk.
 */
export async function registrationExport(prisma: PrismaClient, a: Actor, cityCode: string | undefined): Promise<{ buf: Buffer; teams: number }> {
  const teams = await prisma.team.findMany({
    where: cityCode ? { cityCode } : {},
    include: { city: { select: { name: true } }, university: { select: { name: true } }, members: { orderBy: { id: 'asc' } } },
    orderBy: [{ cityCode: 'asc' }, { id: 'asc' }],
  });
  const rows: (string | number | null)[][] = [];
  for (const t of teams) {
    const full = canSeePhones(a, t);
    const ph = (p: string | null) => (full ? p : maskPhone(p));
    const head = [t.city.name, t.name, t.university.name, TEAM_ZH[t.status], t.contactName, ph(t.contactPhone)];
    if (t.members.length === 0) rows.push([...head, null, null, null, null, null, null, null]);
    for (const m of t.members)
      rows.push([...head, m.name, m.studentNo, ROLE_ZH[m.role], m.onCamera ? '是' : '否', ph(m.phone), CHECK_ZH[m.identityStatus], FILING_ZH[m.anchorFiling]]);
  }
  const headers = ['赛区', '团队名称', '所属高校', '团队状态', '团队联系人', '联系人手机', '成员姓名', '学号', '角色', '是否出镜', '成员手机', '身份核实', '主播备案'];
  const buf = await writeWorkbook([{ name: '报名表', columns: headers.map((h) => ({ header: h, text: /手机|学号/.test(h) })), rows }]);
  return { buf, teams: teams.length };
}

export async function shopsExport(prisma: PrismaClient, a: Actor, cityCode: string | undefined): Promise<{ buf: Buffer; teams: number }> {
  const teams = await prisma.team.findMany({
    where: cityCode ? { cityCode } : {},
    include: { city: { select: { name: true } }, university: { select: { name: true } } },
    orderBy: [{ cityCode: 'asc' }, { id: 'asc' }],
  });
  const rows = teams.map((t) => [t.city.name, t.name, t.university.name, t.youleShopId, canSeePhones(a, t) ? t.phone : maskPhone(t.phone)]);
  const headers = ['赛区', '团队名称', '所属高校', '邮乐小店ID', '注册手机号'];
  const sheet: SheetSpec = { name: '邮乐小店', columns: headers.map((h) => ({ header: h, text: h !== '赛区' })), rows };
  return { buf: await writeWorkbook([sheet]), teams: teams.length };
}
