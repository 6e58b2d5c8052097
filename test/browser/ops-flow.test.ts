// @vitest-environment node
// The contest-operations flow in Chromium against a real hub: city A's staff import a registration sheet
// (first with row errors, then clean), verify the new team's members and file its anchors, schedule a session
// for it in a future stage with the dry run's problems shown first, report the schedule; the province then
// sees the session and the on-time report. Screens go to test-results/screens/.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import ExcelJS from 'exceljs';
import type { Locator, Page } from 'playwright-core';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { LAPTOP, builtClientDir, launchBrowser, recordPageErrors, screenshot, signIn, waitForTestIdText, type TestBrowser } from '../helpers/browser.ts';
import { REGISTRATION_COLUMNS, XLSX_TYPE } from '../../contracts/imports.ts';

const DAY = 86_400_000;
const NEW_TEAM = '赣江之声';

/** A registration sheet (附件1) with the template's headers; `rows` as [teamName, university, contact, contactPhone, name, studentNo, role, onCamera, phone]. */
async function registrationSheet(rows: string[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('报名表');
  ws.addRow(REGISTRATION_COLUMNS.map((c) => c.header));
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** 'yyyy-mm-dd hh:mm' in Asia/Shanghai, as the date pickers take it. */
function wall(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

/** Opens an el-select by its test id and picks the visible option whose text contains `text`. */
async function pick(page: Page, testid: string, text: string): Promise<void> {
  await page.getByTestId(testid).click();
  const option = page.locator('.el-select-dropdown__item:visible', { hasText: text }).first();
  await option.waitFor({ timeout: 5_000 });
  await option.click();
  await option.waitFor({ state: 'hidden', timeout: 5_000 });
}

/** Types a time into an el-date-picker (its input carries the test id or sits inside the element that does). */
async function typeTime(page: Page, testid: string, text: string): Promise<void> {
  const host = page.getByTestId(testid);
  const input: Locator = (await host.evaluate((el) => el.tagName)) === 'INPUT' ? host : host.locator('input');
  await input.click();
  await input.fill(text);
  await input.press('Enter');
  await page.keyboard.press('Escape');
}

describe('contest operations: import, verify, schedule, report', () => {
  let h: TestHub;
  let browser: TestBrowser;
  let page: Page;
  let errors: string[];
  let cityToken: string;
  let stageId: number;
  let stageStart: number;
  let newTeamId: number;

  beforeAll(async () => {
    h = await startTestHub('pglite', { clientDir: builtClientDir() });
    const prov = await h.login(h.fx.users.province);
    cityToken = await h.login(h.fx.users.cityA);
    // A stage far enough ahead that its 24-hour lock is days away.
    // On the hour, as people schedule (the pickers work in whole minutes).
    stageStart = Math.ceil((Date.now() + 10 * DAY) / 3_600_000) * 3_600_000;
    const created = await h.req('POST', '/api/v1/stages', {
      token: prov,
      body: { name: '复赛', kind: 'semifinal', startsAt: new Date(stageStart).toISOString(), endsAt: new Date(stageStart + 5 * DAY).toISOString() },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    stageId = created.body.id;
    browser = await launchBrowser({ viewport: LAPTOP });
    page = await browser.newPage();
    // A step that cannot happen fails on its own deadline, naming itself, well before the test's.
    page.setDefaultTimeout(10_000);
    errors = recordPageErrors(page);
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  test('a sheet with row errors is previewed with row, column and reason, and cannot be committed', async () => {
    await signIn(page, h.url, h.fx.users.cityA);
    await page.getByTestId('nav-city-teams').click();
    await page.waitForURL((url) => url.pathname === '/city/teams');
    await waitForTestIdText(page, 'teams-table', '赣鄱新农人');

    const bad = await registrationSheet([
      [NEW_TEAM, '南昌大学', '李四', '13900001111', '李四', '20230001', '队长', '是', '13900001111'],
      [NEW_TEAM, '不存在大学', '', '', '王五', '20230002', '主播', '是', '13900002222'],
      [NEW_TEAM, '南昌大学', '', '', '赵六', '2x', '厨师', '', ''],
    ]);
    await page.getByTestId('import-file').setInputFiles({ name: '报名表-有误.xlsx', mimeType: XLSX_TYPE, buffer: bad });
    await page.getByTestId('import-preview').waitFor({ timeout: 10_000 });
    const errorsTable = await waitForTestIdText(page, 'import-preview-errors', '不存在大学');
    expect(errorsTable).toContain('学号');
    expect(errorsTable).toContain('角色');
    expect(Number(await page.getByTestId('import-preview').getAttribute('data-errors'))).toBeGreaterThanOrEqual(3);
    expect(await page.getByTestId('import-commit').isDisabled()).toBe(true);
    expect(await page.getByTestId('import-progress').getAttribute('data-progress')).toBe('100');
    await screenshot(page, 'ops-city-import-errors');
  });

  test('a clean sheet is previewed without errors, committed all at once, and the new team is listed', async () => {
    const good = await registrationSheet([
      [NEW_TEAM, '南昌大学', '李四', '13900001111', '李四', '20230001', '队长', '是', '13900001111'],
      [NEW_TEAM, '南昌大学', '', '', '王五', '20230002', '主播', '是', '13900002222'],
      [NEW_TEAM, '南昌大学', '', '', '赵六', '20230003', '运营', '否', ''],
    ]);
    await page.getByTestId('import-file').setInputFiles({ name: '报名表.xlsx', mimeType: XLSX_TYPE, buffer: good });
    await page.getByTestId('import-no-errors').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('import-commit').isEnabled()).toBe(true);
    await screenshot(page, 'ops-city-import-preview');
    await page.getByTestId('import-commit').click();
    await waitForTestIdText(page, 'import-result', '3');
    await waitForTestIdText(page, 'teams-table', NEW_TEAM);
    await screenshot(page, 'ops-city-teams');

    const teams = await h.req('GET', '/api/v1/teams', { token: cityToken });
    const team = (teams.body.items as { id: number; name: string }[]).find((x) => x.name === NEW_TEAM);
    expect(team).toBeDefined();
    newTeamId = team!.id;
  });

  test('the team’s members are verified and its anchors filed, with the time recorded', async () => {
    await page.locator(`[data-testid="team-open"][data-team-id="${newTeamId}"]`).click();
    await page.waitForURL((url) => url.pathname === `/city/teams/${newTeamId}`);
    await page.getByTestId('eligibility-reasons').waitFor({ timeout: 10_000 });
    const members = (await h.req('GET', `/api/v1/members?teamId=${newTeamId}`, { token: cityToken })).body.items as {
      id: number;
      name: string;
      onCamera: boolean;
    }[];
    expect(members).toHaveLength(3);
    const leader = members.find((m) => m.name === '李四')!;

    // One member through the screen: verify, then file.
    await page.locator(`[data-testid="member-verify"][data-member-id="${leader.id}"]`).click();
    await page.locator(`[data-testid="member-identity"][data-member-id="${leader.id}"][data-status="verified"]`).waitFor();
    await page.locator(`[data-testid="member-file"][data-member-id="${leader.id}"]`).click();
    await page.locator(`[data-testid="member-filing"][data-member-id="${leader.id}"][data-status="filed"]`).waitFor();

    // The rest through the API with the city's token, for speed.
    for (const m of members.filter((x) => x.id !== leader.id)) {
      const v = await h.req('PATCH', `/api/v1/members/${m.id}/identity`, { token: cityToken, body: { status: 'verified' } });
      expect(v.status, JSON.stringify(v.body)).toBe(200);
      if (m.onCamera) {
        const f = await h.req('PATCH', `/api/v1/members/${m.id}/filing`, { token: cityToken, body: { status: 'filed' } });
        expect(f.status, JSON.stringify(f.body)).toBe(200);
      }
    }
    await page.reload();
    await page.getByTestId('eligibility-ok').waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-testid="member-identity"][data-status="verified"]').count()).toBe(3);
    await screenshot(page, 'ops-city-team-detail');
  });

  test('the schedule form lists every problem before submit, then schedules the session and reports the schedule', async () => {
    await page.getByTestId('nav-city-schedule').click();
    await page.waitForURL((url) => url.pathname === '/city/schedule');
    await page.getByTestId('schedule-form').waitFor({ timeout: 10_000 });

    // The current stage (初赛) is past its lock: the form says why it is closed.
    await pick(page, 'schedule-stage-filter', '初赛');
    await page.getByTestId('schedule-locked').waitFor({ timeout: 5_000 });
    expect(await page.getByTestId('schedule-submit').isDisabled()).toBe(true);
    await screenshot(page, 'ops-city-schedule-locked');

    await pick(page, 'schedule-stage-filter', '复赛');
    await page.locator('[data-testid="stage-lock-state"]', { hasText: '将于' }).waitFor();
    await pick(page, 'schedule-team', NEW_TEAM);
    await pick(page, 'schedule-account', 'OMS-A-1');
    // An end before the start, and a start before the stage begins: both reasons are shown.
    await typeTime(page, 'schedule-start', wall(stageStart - 2 * 3_600_000));
    await typeTime(page, 'schedule-end', wall(stageStart - 3 * 3_600_000));
    await page.locator('[data-testid="schedule-form"][data-check="done"]').waitFor({ timeout: 10_000 });
    const problems = await waitForTestIdText(page, 'schedule-problems', '结束时间必须晚于开始时间');
    expect(problems).toContain('早于本阶段开始');
    await screenshot(page, 'ops-city-schedule-problems');

    const start = stageStart + 2 * 3_600_000;
    await typeTime(page, 'schedule-start', wall(start));
    await typeTime(page, 'schedule-end', wall(start + 2 * 3_600_000));
    await page.getByTestId('schedule-ok').waitFor({ timeout: 10_000 });
    await page.getByTestId('schedule-submit').click();
    await waitForTestIdText(page, 'schedule-table', NEW_TEAM);
    const sessions = await h.req('GET', `/api/v1/sessions?stageId=${stageId}`, { token: cityToken });
    expect(sessions.body.items).toHaveLength(1);
    expect(sessions.body.items[0]).toMatchObject({ teamId: newTeamId, plannedStart: new Date(start).toISOString(), accountId: h.fx.accountA });

    await page.getByTestId('schedule-report').click();
    await page.locator('[data-testid="schedule-report-status"][data-on-time="true"]').waitFor({ timeout: 10_000 });
    await screenshot(page, 'ops-city-schedule');

    await page.getByTestId('schedule-view-timeline').click();
    await page.locator('[data-testid="timeline-block"]', { hasText: NEW_TEAM }).waitFor();
    await screenshot(page, 'ops-city-schedule-timeline');

    await page.getByTestId('lang-en').click();
    await waitForTestIdText(page, 'page-title', 'live schedule');
    await page.getByTestId('schedule-view-list').click();
    await screenshot(page, 'ops-city-schedule-en');
    await page.getByTestId('lang-zh-CN').click();
    await waitForTestIdText(page, 'page-title', '直播排期');
  });

  test('the province sees the session in its schedule, filtered by city, and the on-time report', async () => {
    await page.getByTestId('logout').click();
    await page.waitForURL((url) => url.pathname === '/login');
    await signIn(page, h.url, h.fx.users.province);
    await page.goto(`${h.url}/province/schedule`);
    await page.getByTestId('schedule-stage-filter').waitFor({ timeout: 10_000 });
    await pick(page, 'schedule-stage-filter', '复赛');
    await waitForTestIdText(page, 'schedule-table', NEW_TEAM);
    await pick(page, 'schedule-city-filter', '南昌');
    const table = await waitForTestIdText(page, 'schedule-table', NEW_TEAM);
    expect(table).toContain('南昌');
    await page.locator('[data-testid="report-state"][data-city="360100"]', { hasText: '按时上报' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-testid="report-state"][data-city="360200"]').textContent()).toContain('未上报');
    await screenshot(page, 'ops-province-schedule');
  });

  test('a team submits its pre-live checklist; the city returns it with a reason the team reads, then approves the fix', async () => {
    const session = `[data-testid="team-session"][data-session-id="${h.fx.sessionA1}"]`;
    const closeDialog = async () => {
      await page.keyboard.press('Escape');
      await page.locator('.el-overlay-dialog').first().waitFor({ state: 'hidden' });
    };
    const asTeam = async () => {
      await closeDialog();
      await page.getByTestId('logout').click();
      await signIn(page, h.url, h.fx.users.teamA1);
      await page.getByTestId('nav-team-sessions').click();
      await page.locator(session).waitFor();
      await page.locator(`${session} [data-testid="team-session-open"]`).click();
    };
    const asCity = async () => {
      await closeDialog();
      await page.getByTestId('logout').click();
      await signIn(page, h.url, h.fx.users.cityA);
      await page.getByTestId('nav-city-schedule').click();
      // The current stage (初赛) opens by default; reviews go on after its lock.
      await waitForTestIdText(page, 'schedule-table', '赣鄱新农人');
      await page.locator('tr', { has: page.locator(`[data-testid="schedule-row"][data-session-id="${h.fx.sessionA1}"]`) }).getByTestId('schedule-review').first().click();
      await page.getByTestId('checklist-items').waitFor();
    };

    await asTeam();
    for (const key of ['products', 'roomSetup', 'script', 'anchorImage']) await page.getByTestId(`checklist-${key}-ok`).click();
    await page.getByTestId('checklist-products-note').fill('赣南脐橙 20 箱已到位');
    // A link that is not one: the hub's refusal is shown under that very input.
    await page.getByTestId('checklist-products-link').fill('网盘里');
    await page.getByTestId('checklist-submit').click();
    await page.locator('[data-item="products"] .el-form-item__error', { hasText: '链接' }).waitFor();
    await screenshot(page, 'ops-team-checklist-refused');
    await page.getByTestId('checklist-products-link').fill('https://pan.example.cn/oranges.jpg');
    await page.getByTestId('checklist-submit').click();
    await page.getByTestId('team-checklist-pending').waitFor();

    await asCity();
    await page.getByTestId('checklist-return').click();
    await page.getByTestId('reason-input').fill('直播间背景缺少邮政标识，请补上后重新提交');
    await page.getByTestId('reason-confirm').click();
    await waitForTestIdText(page, 'checklist-status', '已退回');
    await screenshot(page, 'ops-city-checklist-review');

    await asTeam();
    await waitForTestIdText(page, 'team-checklist-returned', '缺少邮政标识');
    await screenshot(page, 'ops-team-checklist-returned');
    await page.getByTestId('checklist-submit').click();
    await page.getByTestId('team-checklist-pending').waitFor();

    await asCity();
    await page.getByTestId('checklist-approve').click();
    await waitForTestIdText(page, 'checklist-status', '已通过');
    const checklist = await h.req('GET', `/api/v1/sessions/${h.fx.sessionA1}/checklist`, { token: cityToken });
    expect(checklist.body).toMatchObject({ status: 'approved', readiness: { state: 'ready' } });
    await closeDialog();
    await page.locator(`[data-testid="schedule-row"][data-session-id="${h.fx.sessionA1}"]`).waitFor();
    await page.locator('[data-testid="schedule-readiness"][data-state="ready"]').first().waitFor();
  });

  test('a suspension is recorded with its evidence and lifted with a reason', async () => {
    await page.getByTestId('nav-city-violations').click();
    await page.getByTestId('violation-form').waitFor();
    await pick(page, 'violation-team', '红土地优品');
    await pick(page, 'violation-kind', '直播话术');
    await page.getByTestId('violation-evidence').fill('19:40 主播称产品“治病”，属夸大宣传');
    await page.getByTestId('violation-links').fill('https://example.cn/clip-1940.mp4');
    await page.getByTestId('violation-decision-suspension').click();
    await page.getByTestId('violation-reason').fill('违规话术，停播整改');
    await page.getByTestId('violation-submit').click();
    await waitForTestIdText(page, 'violations-table', '停播整改中');
    const team = await h.req('GET', `/api/v1/teams/${h.fx.teamA2}`, { token: cityToken });
    expect(team.body.status).toBe('suspended');
    await screenshot(page, 'ops-city-violation-recorded');

    await page.getByTestId('violation-lift').first().click();
    await page.getByTestId('reason-input').fill('已完成话术培训并整改');
    await page.getByTestId('reason-confirm').click();
    await waitForTestIdText(page, 'violations-table', '已于');
    expect((await h.req('GET', `/api/v1/teams/${h.fx.teamA2}`, { token: cityToken })).body.status).toBe('active');
    await page.getByTestId('logout').click();
    await signIn(page, h.url, h.fx.users.province);
    // The province lands on the full-screen wall; its side navigation is in the app frame.
    await page.goto(`${h.url}/province`);
    await page.getByTestId('side-nav').waitFor();
  });

  test('every operations screen opens cleanly for each role', async () => {
    // The refusals provoked above (a 400 on purpose) are logged by the browser; this test starts clean.
    errors.length = 0;
    const visit = async (route: string, name: string, testid = 'page-title') => {
      await page.getByTestId(`nav-${route}`).click();
      await page.getByTestId(testid).first().waitFor({ timeout: 10_000 });
      // Wait until no section is still loading.
      await page.waitForFunction(() => !(globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector('[aria-busy="true"]'), null, { timeout: 10_000 });
      await screenshot(page, name);
    };
    for (const [route, name] of [
      ['province-stages', 'ops-province-stages'],
      ['province-violations', 'ops-province-violations'],
      ['province-incentives', 'ops-province-incentives'],
      ['province-audit', 'ops-province-audit'],
      ['province-deadlines', 'ops-province-deadlines'],
      ['province-settings', 'ops-province-settings'],
    ] as const) await visit(route, name);
    await waitForTestIdText(page, 'page-title', '设置');

    await page.getByTestId('logout').click();
    await signIn(page, h.url, h.fx.users.cityA);
    for (const [route, name] of [
      ['city-accounts', 'ops-city-accounts'],
      ['city-samples', 'ops-city-samples'],
      ['city-trainings', 'ops-city-trainings'],
      ['city-violations', 'ops-city-violations'],
      ['city-deadlines', 'ops-city-deadlines'],
    ] as const) await visit(route, name);

    await page.getByTestId('logout').click();
    await signIn(page, h.url, h.fx.users.teamA1);
    await visit('team-sessions', 'ops-team-sessions');
    await visit('team-violations', 'ops-team-violations');
    expect(errors).toEqual([]);
  });
});
