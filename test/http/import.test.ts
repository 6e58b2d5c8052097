import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import ExcelJS from 'exceljs';
import { dbKinds } from '../helpers/db.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { CITY_A, CITY_B } from '../helpers/fixture.ts';
import { REGISTRATION_COLUMNS, XLSX_TYPE } from '../../contracts/imports.ts';

const HEADER = REGISTRATION_COLUMNS.map((c) => c.header);

async function xlsxOf(rows: (string | number)[][], sheet = '报名表'): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheet);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function readXlsx(buf: ArrayBuffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf);
  return wb;
}

const csvOf = (rows: string[][]) => '\uFEFF' + rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n') + '\r\n';

describe.each(dbKinds)('registration import and export (%s)', (kind) => {
  let h: TestHub;
  let tok: Record<'province' | 'cityA' | 'cityB' | 'teamA1', string>;

  const upload = async (path: string, token: string, body: Buffer | string, type: string) => {
    const res = await fetch(h.url + path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const download = async (path: string, token: string) => {
    const res = await fetch(h.url + path, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, type: res.headers.get('content-type'), buf: await res.arrayBuffer() };
  };
  const teamsNamed = (names: string[]) => h.db.prisma.team.findMany({ where: { name: { in: names } }, include: { members: true } });

  beforeAll(async () => {
    h = await startTestHub(kind);
    const u = h.fx.users;
    tok = { province: await h.login(u.province), cityA: await h.login(u.cityA), cityB: await h.login(u.cityB), teamA1: await h.login(u.teamA1) };
  });
  afterAll(() => h?.close());

  test('the template downloads as xlsx with Chinese headers, an example row and a 说明 sheet', async () => {
    const r = await download('/api/v1/imports/registration/template.xlsx', tok.cityA);
    expect(r.status).toBe(200);
    expect(r.type).toContain(XLSX_TYPE);
    const wb = await readXlsx(r.buf);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['报名表', '说明']);
    const ws = wb.worksheets[0]!;
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(HEADER);
    expect(ws.rowCount).toBe(2);
    const shops = await readXlsx((await download('/api/v1/imports/shops/template.xlsx', tok.cityA)).buf);
    expect((shops.worksheets[0]!.getRow(1).values as unknown[]).slice(1)).toEqual(['团队名称', '所属高校', '邮乐小店ID', '注册手机号']);
  });

  test('a good xlsx previews with no errors and writes nothing; its commit creates the teams and members with audit entries', async () => {
    const file = await xlsxOf([
      HEADER,
      ['星火队', '南昌大学', '王老师', '13811110000', '赵一', '2022001', '队长', '否', '13911110001'],
      ['', '', '', '', '钱二', '2022002', '主播', '是', '13911110002'],
      ['燎原队', '南昌大学', '', '', '孙三', 2022003, '主播', '', 13911110003],
    ]);
    const pre = await upload('/api/v1/imports/registration/preview', tok.cityA, file, XLSX_TYPE);
    expect(pre.status).toBe(200);
    expect(pre.body).toMatchObject({ kind: 'registration', rows: 3, errors: [], errorCount: 0, summary: { teams: 2, members: 3, onCamera: 2 } });
    expect(typeof pre.body.token).toBe('string');
    expect(await teamsNamed(['星火队', '燎原队'])).toEqual([]);

    const done = await h.req('POST', '/api/v1/imports/registration/commit', { token: tok.cityA, body: { token: pre.body.token } });
    expect(done.status).toBe(200);
    expect(done.body.summary).toMatchObject({ teams: 2, members: 3 });
    const teams = await teamsNamed(['星火队', '燎原队']);
    expect(teams.map((t) => [t.name, t.cityCode, t.members.length])).toEqual(expect.arrayContaining([['星火队', CITY_A, 2], ['燎原队', CITY_A, 1]]));
    const anchor = teams.flatMap((t) => t.members).find((m) => m.studentNo === '2022003')!;
    expect(anchor).toMatchObject({ onCamera: true, anchorFiling: 'pending', identityStatus: 'pending', phone: '13911110003' });
    const audits = await h.db.prisma.auditLog.findMany({ where: { action: { in: ['team.import', 'import.registration'] } } });
    expect(audits.filter((x) => x.action === 'team.import')).toHaveLength(2);
    expect(audits.filter((x) => x.action === 'import.registration')).toHaveLength(1);

    // A token is used once.
    const again = await h.req('POST', '/api/v1/imports/registration/commit', { token: tok.cityA, body: { token: pre.body.token } });
    expect(again.status).toBe(404);
  });

  test('a bad csv lists every error by row and column, gives no token and writes nothing', async () => {
    const csv = csvOf([
      HEADER,
      ['坏队', '南昌大学', '', '', '甲', '2023001', '队长', '是', '12345'],
      ['坏队', '南昌大学', '', '', '乙', '2023001', '运营', '否', ''],
      ['外市队', '景德镇陶瓷大学', '', '', '丙', '2023003', '队长', '否', ''],
      ['赣鄱新农人', '南昌大学', '', '', '丁', '2023004', '队长', '否', ''],
      ['无名队', '南昌大学', '', '', '', '2023005', '领导', '否', ''],
    ]);
    const pre = await upload('/api/v1/imports/registration/preview', tok.cityA, csv, 'text/csv; charset=utf-8');
    expect(pre.status).toBe(200);
    expect(pre.body.token).toBeNull();
    expect(pre.body.rows).toBe(5);
    expect(pre.body.errors.map((e: { row: number; column: string }) => [e.row, e.column])).toEqual([
      [2, '成员手机'],
      [3, '学号'],
      [4, '所属高校'],
      [5, '团队名称'],
      [6, '成员姓名'],
      [6, '角色'],
    ]);
    expect(await teamsNamed(['坏队', '外市队', '无名队'])).toEqual([]);
  });

  test('a commit is all-or-nothing: one conflict appearing after the preview writes none of the file', async () => {
    const file = await xlsxOf([
      HEADER,
      ['先锋队', '南昌大学', '', '', '周四', '2024001', '队长', '否', ''],
      ['后来队', '南昌大学', '', '', '吴五', '2024002', '主播', '是', ''],
    ]);
    const pre = await upload('/api/v1/imports/registration/preview', tok.cityA, file, XLSX_TYPE);
    expect(pre.body.errors).toEqual([]);
    // Someone registers one of the teams by hand in between.
    await h.req('POST', '/api/v1/teams', { token: tok.cityA, body: { name: '后来队', cityCode: CITY_A, universityId: h.fx.uniA } });
    const done = await h.req('POST', '/api/v1/imports/registration/commit', { token: tok.cityA, body: { token: pre.body.token } });
    expect(done.status).toBe(409);
    expect(done.body.error.issues[0].path).toMatch(/^row 3\./);
    expect(await teamsNamed(['先锋队'])).toEqual([]);
    expect((await teamsNamed(['后来队']))[0]!.members).toEqual([]);
  });

  test('a preview belongs to its user: another user’s commit and an unknown token are refused', async () => {
    const file = await xlsxOf([HEADER, ['独行队', '南昌大学', '', '', '郑六', '2025001', '队长', '否', '']]);
    const pre = await upload('/api/v1/imports/registration/preview', tok.cityA, file, XLSX_TYPE);
    const stolen = await h.req('POST', '/api/v1/imports/registration/commit', { token: tok.province, body: { token: pre.body.token } });
    expect(stolen.status).toBe(403);
    const unknown = await h.req('POST', '/api/v1/imports/registration/commit', { token: tok.cityA, body: { token: 'x'.repeat(32) } });
    expect(unknown.status).toBe(404);
    expect(await teamsNamed(['独行队'])).toEqual([]);
    // The owner can still commit after the refused attempt.
    expect((await h.req('POST', '/api/v1/imports/registration/commit', { token: tok.cityA, body: { token: pre.body.token } })).status).toBe(200);
  });

  test('teams cannot import; city B’s staff cannot register into city A’s university; the province can', async () => {
    const file = await xlsxOf([HEADER, ['跨市队', '南昌大学', '', '', '王七', '2026001', '队长', '否', '']]);
    expect((await upload('/api/v1/imports/registration/preview', tok.teamA1, file, XLSX_TYPE)).status).toBe(403);
    const b = await upload('/api/v1/imports/registration/preview', tok.cityB, file, XLSX_TYPE);
    expect(b.body.errors).toEqual([expect.objectContaining({ row: 2, column: '所属高校', message: expect.stringContaining('not in your city') })]);
    const p = await upload('/api/v1/imports/registration/preview', tok.province, file, XLSX_TYPE);
    expect(p.body.errors).toEqual([]);
  });

  test('the wrong content type is a 400 and an oversized file a 413', async () => {
    const wrong = await upload('/api/v1/imports/registration/preview', tok.cityA, 'a,b', 'text/plain');
    expect(wrong.status).toBe(400);
    const big = await upload('/api/v1/imports/registration/preview', tok.cityA, 'x'.repeat(6 * 1024 * 1024), 'text/csv');
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const junk = await upload('/api/v1/imports/registration/preview', tok.cityA, Buffer.from('not a zip'), XLSX_TYPE);
    expect(junk.status).toBe(400);
  });

  test('a few thousand rows preview and commit in one go', async () => {
    const rows: string[][] = [HEADER];
    for (let t = 0; t < 500; t++)
      for (let m = 0; m < 4; m++) rows.push([`批量队${t}`, '南昌大学', '', '', `成员${t}-${m}`, `B${t}-${m}`.padEnd(6, '0'), m === 0 ? '队长' : '运营', '否', '']);
    const started = Date.now();
    const pre = await upload('/api/v1/imports/registration/preview', tok.cityA, csvOf(rows), 'text/csv');
    expect(pre.body).toMatchObject({ rows: 2000, errorCount: 0, summary: { teams: 500, members: 2000 } });
    const done = await h.req('POST', '/api/v1/imports/registration/commit', { token: tok.cityA, body: { token: pre.body.token } });
    expect(done.status).toBe(200);
    expect(await h.db.prisma.member.count({ where: { team: { name: { startsWith: '批量队' } } } })).toBe(2000);
    expect(Date.now() - started).toBeLessThan(25_000);
  });

  test('a shops sheet updates each team’s shop id and registered phone, audited', async () => {
    const csv = csvOf([['团队名称', '邮乐小店ID', '注册手机号'], ['赣鄱新农人', 'YL-A1', '13700000001'], ['红土地优品', 'YL-A2', '13700000002']]);
    const pre = await upload('/api/v1/imports/shops/preview', tok.cityA, csv, 'text/csv');
    expect(pre.body).toMatchObject({ errors: [], summary: { teams: 2, changed: 2 } });
    const done = await h.req('POST', '/api/v1/imports/shops/commit', { token: tok.cityA, body: { token: pre.body.token } });
    expect(done.status).toBe(200);
    const t = await h.db.prisma.team.findUniqueOrThrow({ where: { id: h.fx.teamA1 } });
    expect(t).toMatchObject({ youleShopId: 'YL-A1', phone: '13700000001' });
    const audit = await h.db.prisma.auditLog.findFirst({ where: { action: 'team.shop', entityId: String(h.fx.teamA1) } });
    expect(audit?.before).toMatchObject({ phone: '13812341234' });
    // City B cannot name city A's teams.
    const b = await upload('/api/v1/imports/shops/preview', tok.cityB, csv, 'text/csv');
    expect(b.body.errors.map((e: { column: string }) => e.column)).toEqual(['团队名称', '团队名称']);
  });

  test('exports: city staff get their own city with phones masked, the province any city in full', async () => {
    const mine = await download('/api/v1/exports/registration.xlsx', tok.cityA);
    expect(mine.status).toBe(200);
    const ws = (await readXlsx(mine.buf)).worksheets[0]!;
    const rows = ws.getSheetValues().slice(2) as unknown[][];
    expect(new Set(rows.map((r) => r[1]))).toEqual(new Set(['南昌市']));
    const zhang = rows.find((r) => r[7] === '张三')!;
    expect(zhang[11]).toBe('188****1234');
    expect(zhang[12]).toBe('已核实');
    expect((await download(`/api/v1/exports/registration.xlsx?cityCode=${CITY_B}`, tok.cityA)).status).toBe(403);
    expect((await download('/api/v1/exports/registration.xlsx', tok.teamA1)).status).toBe(403);

    const prov = await download(`/api/v1/exports/registration.xlsx?cityCode=${CITY_A}`, tok.province);
    const provRows = (await readXlsx(prov.buf)).worksheets[0]!.getSheetValues().slice(2) as unknown[][];
    expect(provRows.find((r) => r[7] === '张三')![11]).toBe('18800001234');

    const shops = await download('/api/v1/exports/shops.xlsx', tok.province);
    const shopRows = (await readXlsx(shops.buf)).worksheets[0]!.getSheetValues().slice(2) as unknown[][];
    expect(new Set(shopRows.map((r) => r[1]))).toEqual(new Set(['南昌市', '景德镇市']));
    expect(await h.db.prisma.auditLog.count({ where: { action: 'export.registration' } })).toBe(2);
  });
});
