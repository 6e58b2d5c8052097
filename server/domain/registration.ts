// Registration rules, pure: whether a team may go live, and how the 附件1/附件2 sheets become teams and members
// (header mapping, row validation, cross-row checks against what the database already holds).
import type { z } from 'zod';
import {
  REGISTRATION_COLUMNS,
  RegistrationRow,
  SHOP_COLUMNS,
  ShopRow,
  type ColumnSpec,
  type ImportError,
} from '../../contracts/imports';
import type { EligibilityReason } from '../../contracts/ops';

// ───────────── eligibility ─────────────

export interface EligibilityMember {
  id: number;
  name: string;
  onCamera: boolean;
  identityStatus: 'pending' | 'verified' | 'rejected';
  anchorFiling: 'not_required' | 'pending' | 'filed' | 'rejected';
}

/**
 * A team may go live when it has members, at least one of them on camera (a live room needs an anchor),
 * every member's identity is verified (身份核实) and every on-camera member is filed (主播备案).
 * The team's own status (suspended, disqualified) is a separate check.
 */
export function teamEligibility(members: readonly EligibilityMember[]): { ok: boolean; reasons: EligibilityReason[] } {
  const reasons: EligibilityReason[] = [];
  if (members.length === 0) reasons.push({ code: 'no_members', message: 'the team has no members' });
  else if (!members.some((m) => m.onCamera)) reasons.push({ code: 'no_anchor', message: 'no member is on camera' });
  for (const m of members) {
    if (m.identityStatus === 'pending')
      reasons.push({ code: 'identity_pending', memberId: m.id, name: m.name, message: `${m.name}: identity not verified yet` });
    else if (m.identityStatus === 'rejected')
      reasons.push({ code: 'identity_rejected', memberId: m.id, name: m.name, message: `${m.name}: identity check failed` });
    if (m.onCamera && m.anchorFiling === 'rejected')
      reasons.push({ code: 'filing_rejected', memberId: m.id, name: m.name, message: `${m.name}: anchor filing rejected` });
    else if (m.onCamera && m.anchorFiling !== 'filed')
      reasons.push({ code: 'filing_missing', memberId: m.id, name: m.name, message: `${m.name}: on camera but not filed` });
  }
  return { ok: reasons.length === 0, reasons };
}

// ───────────── sheet → rows ─────────────

const normHeader = (h: string) =>
  h
    .replace(/[(（【\[].*$/u, '') // "角色（队长/主播/运营/其他）" → "角色"
    .replace(/[\s*＊:：]/gu, '')
    .toLowerCase();

/** Phones as people type them: spaces, dashes, a +86 prefix. */
export const normPhone = (v: string) => v.replace(/[\s-]/g, '').replace(/^(\+?86)(1\d{10})$/, '$2');

export interface HeaderMap {
  /** Index into the grid of the header row. */
  headerIndex: number;
  columns: Map<string, number>;
}

/** Finds the header row among the first five (附件 forms often carry a title row above it). */
export function mapHeader(grid: string[][], specs: ColumnSpec[]): HeaderMap | ImportError[] {
  const lookup = new Map<string, string>();
  for (const s of specs) for (const h of [s.header, ...s.aliases]) lookup.set(normHeader(h), s.field);
  let best: HeaderMap | undefined;
  for (let i = 0; i < Math.min(5, grid.length); i++) {
    const columns = new Map<string, number>();
    grid[i]!.forEach((cell, c) => {
      const f = lookup.get(normHeader(cell));
      if (f && !columns.has(f)) columns.set(f, c);
    });
    if (!best || columns.size > best.columns.size) best = { headerIndex: i, columns };
  }
  const missing = specs.filter((s) => s.required && !best?.columns.has(s.field));
  if (!best || missing.length)
    return missing.map((s) => ({ row: (best?.headerIndex ?? 0) + 1, column: s.header, message: `missing column ${s.header}` }));
  return best;
}

const headerOf = (specs: ColumnSpec[], field: string) => specs.find((s) => s.field === field)?.header ?? field;

function zodErrors(err: z.ZodError, row: number, specs: ColumnSpec[]): ImportError[] {
  return err.issues.map((i) => ({ row, column: headerOf(specs, String(i.path[0] ?? '')), message: i.message }));
}

function cellsOf(grid: string[][], r: number, map: HeaderMap, specs: ColumnSpec[], phones: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of specs) {
    const idx = map.columns.get(s.field);
    const v = idx === undefined ? '' : (grid[r]?.[idx] ?? '');
    out[s.field] = phones.includes(s.field) ? normPhone(v) : v;
  }
  return out;
}

export interface Parsed<T> {
  rows: number;
  items: (T & { row: number })[];
  /**
   * Rows with a bad cell whose identifying cells (team, university, student number / shop id) are sound:
   * they still take part in the cross-row checks, so one preview reports every problem. Never committed.
   */
  partial: (T & { row: number })[];
  errors: ImportError[];
}

const RegistrationKey = RegistrationRow.pick({ teamName: true, university: true, studentNo: true });
const ShopKey = ShopRow.pick({ teamName: true, youleShopId: true });

/** Parsed and partial rows together, in sheet order, for the cross-row checks. */
export const allRows = <T extends { row: number }>(p: { items: T[]; partial: T[] }): T[] => [...p.items, ...p.partial].sort((a, b) => a.row - b.row);

/**
 * 附件1 rows, one per member. A row with the team name and university left blank belongs to the team above
 * (people merge or skip those cells when a team spans several rows). Blank rows are skipped.
 */
export function parseRegistration(grid: string[][]): Parsed<RegistrationRow> {
  const map = mapHeader(grid, REGISTRATION_COLUMNS);
  if (Array.isArray(map)) return { rows: 0, items: [], partial: [], errors: map };
  const items: Parsed<RegistrationRow>['items'] = [];
  const partial: Parsed<RegistrationRow>['items'] = [];
  const errors: ImportError[] = [];
  let rows = 0;
  let above: Record<string, string> | undefined;
  for (let r = map.headerIndex + 1; r < grid.length; r++) {
    const cells = cellsOf(grid, r, map, REGISTRATION_COLUMNS, ['contactPhone', 'phone']);
    if (Object.values(cells).every((v) => v === '')) continue;
    rows++;
    if (cells['teamName'] === '' && cells['university'] === '' && above) {
      for (const f of ['teamName', 'university', 'contactName', 'contactPhone']) cells[f] = above[f] ?? '';
    }
    above = cells;
    const p = RegistrationRow.safeParse(cells);
    if (p.success) items.push({ ...p.data, row: r + 1 });
    else {
      errors.push(...zodErrors(p.error, r + 1, REGISTRATION_COLUMNS));
      const k = RegistrationKey.safeParse(cells);
      if (k.success) partial.push({ ...k.data, row: r + 1, contactName: null, contactPhone: null, name: '', role: 'support', onCamera: false, phone: null });
    }
  }
  if (rows === 0) errors.push({ row: map.headerIndex + 2, column: headerOf(REGISTRATION_COLUMNS, 'teamName'), message: 'the sheet has no data rows' });
  return { rows, items, partial, errors };
}

export function parseShops(grid: string[][]): Parsed<ShopRow> {
  const map = mapHeader(grid, SHOP_COLUMNS);
  if (Array.isArray(map)) return { rows: 0, items: [], partial: [], errors: map };
  const items: Parsed<ShopRow>['items'] = [];
  const partial: Parsed<ShopRow>['items'] = [];
  const errors: ImportError[] = [];
  let rows = 0;
  for (let r = map.headerIndex + 1; r < grid.length; r++) {
    const cells = cellsOf(grid, r, map, SHOP_COLUMNS, ['phone']);
    if (Object.values(cells).every((v) => v === '')) continue;
    rows++;
    const p = ShopRow.safeParse(cells);
    if (p.success) items.push({ ...p.data, row: r + 1 });
    else {
      errors.push(...zodErrors(p.error, r + 1, SHOP_COLUMNS));
      const k = ShopKey.safeParse(cells);
      if (k.success) partial.push({ ...k.data, row: r + 1, university: cells['university'] || null, phone: '' });
    }
  }
  if (rows === 0) errors.push({ row: map.headerIndex + 2, column: headerOf(SHOP_COLUMNS, 'teamName'), message: 'the sheet has no data rows' });
  return { rows, items, partial, errors };
}

// ───────────── cross-row checks ─────────────

export interface UniversityRef {
  id: number;
  name: string;
  cityCode: string;
}

export interface RegistrationContext {
  /** The caller's city; undefined for the province, who may register in any city. */
  scopeCity?: string;
  /** Universities named in the file. */
  universities: UniversityRef[];
  /** Existing teams with a name used in the file. */
  existingTeams: { cityCode: string; name: string }[];
  /** Existing members of the named universities with a student number used in the file. */
  existingStudents: { universityId: number; studentNo: string; teamName: string }[];
}

export interface PlannedMember {
  row: number;
  name: string;
  studentNo: string;
  role: 'leader' | 'anchor' | 'operator' | 'support';
  onCamera: boolean;
  phone: string | null;
}

export interface PlannedTeam {
  row: number;
  name: string;
  cityCode: string;
  universityId: number;
  contactName: string | null;
  contactPhone: string | null;
  members: PlannedMember[];
}

const C = (field: string) => headerOf(REGISTRATION_COLUMNS, field);

export function checkRegistration(
  items: Parsed<RegistrationRow>['items'],
  ctx: RegistrationContext,
): { errors: ImportError[]; teams: PlannedTeam[]; summary: Record<string, number> } {
  const errors: ImportError[] = [];
  const uniByName = new Map(ctx.universities.map((u) => [u.name, u]));
  const existingTeams = new Set(ctx.existingTeams.map((t) => `${t.cityCode}|${t.name}`));
  const existingStudents = new Map(ctx.existingStudents.map((s) => [`${s.universityId}|${s.studentNo}`, s.teamName]));
  const teams = new Map<string, PlannedTeam>();
  const students = new Map<string, number>();
  const reportedTeams = new Set<string>();

  for (const it of items) {
    const uni = uniByName.get(it.university);
    if (!uni) {
      errors.push({ row: it.row, column: C('university'), message: `unknown university “${it.university}”; add it under universities first` });
      continue;
    }
    if (ctx.scopeCity && uni.cityCode !== ctx.scopeCity) {
      errors.push({ row: it.row, column: C('university'), message: `“${it.university}” is not in your city` });
      continue;
    }
    const key = `${uni.cityCode}|${it.teamName}`;
    let team = teams.get(key);
    if (!team) {
      team = { row: it.row, name: it.teamName, cityCode: uni.cityCode, universityId: uni.id, contactName: it.contactName, contactPhone: it.contactPhone, members: [] };
      teams.set(key, team);
    } else {
      if (team.universityId !== uni.id) {
        errors.push({ row: it.row, column: C('university'), message: `team “${it.teamName}” is listed with another university on row ${team.row}` });
        continue;
      }
      if (it.contactName && team.contactName && it.contactName !== team.contactName)
        errors.push({ row: it.row, column: C('contactName'), message: `differs from row ${team.row} of the same team` });
      if (it.contactPhone && team.contactPhone && it.contactPhone !== team.contactPhone)
        errors.push({ row: it.row, column: C('contactPhone'), message: `differs from row ${team.row} of the same team` });
      team.contactName ??= it.contactName;
      team.contactPhone ??= it.contactPhone;
    }
    if (existingTeams.has(key) && !reportedTeams.has(key)) {
      reportedTeams.add(key);
      errors.push({ row: it.row, column: C('teamName'), message: `team “${it.teamName}” is already registered in this city` });
    }
    // Student numbers are unique within a university, not across universities.
    const sKey = `${uni.id}|${it.studentNo}`;
    const seen = students.get(sKey);
    if (seen !== undefined) errors.push({ row: it.row, column: C('studentNo'), message: `student number also on row ${seen}` });
    else students.set(sKey, it.row);
    const holder = existingStudents.get(sKey);
    if (holder !== undefined) errors.push({ row: it.row, column: C('studentNo'), message: `already a member of team “${holder}”` });
    if (it.role === 'leader' && team.members.some((m) => m.role === 'leader'))
      errors.push({ row: it.row, column: C('role'), message: 'a team has one 队长' });
    team.members.push({
      row: it.row,
      name: it.name,
      studentNo: it.studentNo,
      role: it.role,
      // Left blank: an anchor is on camera, anyone else is not.
      onCamera: it.onCamera ?? it.role === 'anchor',
      phone: it.phone,
    });
  }

  const planned = [...teams.values()];
  const members = planned.flatMap((t) => t.members);
  return {
    errors,
    teams: planned,
    summary: {
      teams: planned.length,
      members: members.length,
      onCamera: members.filter((m) => m.onCamera).length,
      universities: new Set(planned.map((t) => t.universityId)).size,
      cities: new Set(planned.map((t) => t.cityCode)).size,
    },
  };
}

export interface ShopContext {
  scopeCity?: string;
  /** Existing teams whose name appears in the file (within the caller's scope). */
  teams: { id: number; name: string; cityCode: string; universityName: string; youleShopId: string | null; phone: string | null }[];
  /** Teams already holding a shop id used in the file. */
  shopHolders: { teamId: number; teamName: string; youleShopId: string }[];
}

export interface PlannedShop {
  row: number;
  teamId: number;
  cityCode: string;
  youleShopId: string;
  phone: string;
  changed: boolean;
}

const S = (field: string) => headerOf(SHOP_COLUMNS, field);

export function checkShops(
  items: Parsed<ShopRow>['items'],
  ctx: ShopContext,
): { errors: ImportError[]; shops: PlannedShop[]; summary: Record<string, number> } {
  const errors: ImportError[] = [];
  const shops: PlannedShop[] = [];
  const byTeam = new Map<number, number>();
  const byShop = new Map<string, number>();
  for (const it of items) {
    const candidates = ctx.teams.filter(
      (t) => t.name === it.teamName && (!ctx.scopeCity || t.cityCode === ctx.scopeCity) && (!it.university || t.universityName === it.university),
    );
    if (candidates.length === 0) {
      errors.push({ row: it.row, column: S('teamName'), message: `no team “${it.teamName}”${ctx.scopeCity ? ' in your city' : ''}` });
      continue;
    }
    if (candidates.length > 1) {
      errors.push({ row: it.row, column: S('university'), message: `several cities have a team “${it.teamName}”; fill in its university` });
      continue;
    }
    const team = candidates[0]!;
    const seenTeam = byTeam.get(team.id);
    if (seenTeam !== undefined) {
      errors.push({ row: it.row, column: S('teamName'), message: `team also on row ${seenTeam}` });
      continue;
    }
    byTeam.set(team.id, it.row);
    const seenShop = byShop.get(it.youleShopId);
    if (seenShop !== undefined) errors.push({ row: it.row, column: S('youleShopId'), message: `shop id also on row ${seenShop}` });
    else byShop.set(it.youleShopId, it.row);
    shops.push({
      row: it.row,
      teamId: team.id,
      cityCode: team.cityCode,
      youleShopId: it.youleShopId,
      phone: it.phone,
      changed: team.youleShopId !== it.youleShopId || team.phone !== it.phone,
    });
  }
  // A shop belongs to one team: refuse an id another team holds unless the file gives that team a new one.
  const planned = new Map(shops.map((s) => [s.teamId, s.youleShopId]));
  for (const h of ctx.shopHolders) {
    const row = byShop.get(h.youleShopId);
    if (row === undefined) continue;
    const claimant = shops.find((s) => s.youleShopId === h.youleShopId);
    if (!claimant || claimant.teamId === h.teamId) continue;
    const holderNext = planned.get(h.teamId);
    if (holderNext !== undefined && holderNext !== h.youleShopId) continue;
    errors.push({ row, column: S('youleShopId'), message: `shop id already registered to team “${h.teamName}”` });
  }
  return {
    errors,
    shops,
    summary: { teams: shops.length, changed: shops.filter((s) => s.changed).length, unchanged: shops.filter((s) => !s.changed).length },
  };
}
