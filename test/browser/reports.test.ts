// @vitest-environment node
// Exports in Chromium against a real hub: city staff map the Youle export's columns once, upload it as csv and
// then as xlsx through the reconciliation panel and watch the session's verified GMV change; the analysis record
// and the city report are downloaded through the UI and read back with exceljs; the city and province reports
// print on A4 without the app frame, each section on its own page (a PDF under test-results).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { CITY_A } from '../helpers/fixture.ts';
import { createCollectorKey } from '../../server/auth/service.ts';
import { startAnalysisJob } from '../../server/analysis/job.ts';
import { systemClock } from '../../server/clock.ts';
import { createLogger } from '../../server/logger.ts';
import {
  LAPTOP, SCREENS_DIR, builtClientDir, launchBrowser, recordPageErrors, screenshot, signIn, waitForTestIdText, type TestBrowser,
} from '../helpers/browser.ts';

/** A4 at 96 dpi. */
const A4 = { width: 794, height: 1123 } as const;
const OUT_DIR = path.join(SCREENS_DIR, '..', 'reports');
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
let seq = 0;
const uid = (p: string) => `${p}-${++seq}-${Math.random().toString(36).slice(2, 8)}`;

/** Opens an el-select by its test id and picks the visible option whose text contains `text`. */
async function pick(page: Page, testid: string, text: string): Promise<void> {
  await page.getByTestId(testid).click();
  const option = page.locator('.el-select-dropdown__item:visible', { hasText: text }).first();
  await option.waitFor({ timeout: 5_000 });
  await option.click();
  await option.waitFor({ state: 'hidden', timeout: 5_000 });
}

/** Clicks what starts a download and opens the saved file as a workbook. */
async function downloadWorkbook(page: Page, click: () => Promise<void>, name: string): Promise<ExcelJS.Workbook> {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), click()]);
  await mkdir(OUT_DIR, { recursive: true });
  const file = path.join(OUT_DIR, name);
  await download.saveAs(file);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  return wb;
}
const cellBy = (wb: ExcelJS.Workbook, sheet: string, label: string): ExcelJS.CellValue => {
  let found: ExcelJS.CellValue = undefined;
  wb.getWorksheet(sheet)?.eachRow((row) => {
    if (row.getCell(1).value === label) found = row.getCell(2).value;
  });
  return found;
};

describe('exports: reconciliation upload, xlsx downloads, printable reports', { timeout: 90_000 }, () => {
  let h: TestHub;
  let desk: TestBrowser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    h = await startTestHub('pglite', { clientDir: builtClientDir() });
    const key = (await createCollectorKey(h.db, { cityCode: CITY_A })).key;
    const sessionId = h.fx.sessionA1;
    const at = (minAgo: number) => new Date(Date.now() - minAgo * 60_000).toISOString();
    const order = (orderId: string, amountFen: number, minAgo: number) => ({ type: 'order', id: uid('o'), sessionId, at: at(minAgo), orderId, quantity: 1, amountFen });
    const ingested = await h.req('POST', '/api/v1/ingest', {
      token: key,
      body: {
        events: [
          { type: 'stats', id: uid('s'), sessionId, at: at(6), online: 40, views: 400, viewers: 200 },
          order('YL-1', 10000, 5), order('YL-2', 5000, 4), order('YL-3', 8000, 3),
        ],
      },
    });
    expect(ingested.body).toMatchObject({ accepted: 4, rejected: [] });
    await h.hub.live.persister!.drain();
    const cityToken = await h.login(h.fx.users.cityA);
    expect((await h.req('POST', `/api/v1/sessions/${sessionId}/end`, { token: cityToken, body: {} })).status).toBe(200);
    const job = startAnalysisJob({ db: h.db, clock: systemClock, log: createLogger({ LOG_LEVEL: 'silent', HUB_ID: 'test' }), intervalMs: 3_600_000 });
    try {
      expect(await job.runOnce()).toEqual([sessionId]);
    } finally {
      job.stop();
    }
    // A ticket and a violation, for the report's sections.
    const { prisma } = h.db;
    const by = (await prisma.user.findUniqueOrThrow({ where: { username: h.fx.users.teamA1 } })).id;
    await prisma.ticket.create({ data: { teamId: h.fx.teamA1, cityCode: CITY_A, kind: 'network', text: '卡顿', status: 'resolved', openedBy: by, openedAt: new Date(Date.now() - 50 * 60_000), resolvedAt: new Date(Date.now() - 45 * 60_000) } });
    await prisma.violation.create({ data: { teamId: h.fx.teamA1, cityCode: CITY_A, kind: 'script', evidence: '截图', decision: 'warning', reason: '夸大宣传', decidedBy: by } });

    desk = await launchBrowser({ viewport: LAPTOP });
    page = await desk.newPage();
    errors = recordPageErrors(page);
    await signIn(page, h.url, h.fx.users.cityA);
  }, 90_000);
  afterAll(async () => {
    await desk?.close();
    await h?.close();
  });

  const verifiedOnAnalysisPage = async (expected: string) => {
    await page.goto(`${h.url}/city/analysis/${h.fx.sessionA1}`);
    await waitForTestIdText(page, 'analysis-verified-gmv', expected);
  };
  const openReconcile = async () => {
    await page.goto(`${h.url}/city/analyses`);
    await pick(page, 'reconcile-session', '赣鄱新农人');
    await page.getByTestId('reconcile').waitFor({ timeout: 10_000 });
  };

  test('city staff map the export’s columns once, upload a csv and see matched, missing and extra orders and the verified GMV', async () => {
    await verifiedOnAnalysisPage('尚未对账');
    await openReconcile();
    await page.getByTestId('reconcile-new-format').click();
    // el-input puts the test id on the <input> itself.
    const field = (id: string) => page.locator(`input[data-testid="${id}"], [data-testid="${id}"] input`).first();
    await field('format-name').fill('youle');
    await field('format-order-id').fill('订单号');
    await field('format-amount').fill('实付款(元)');
    await field('format-status').fill('交易状态');
    await page.getByTestId('format-save').click();
    // The saved format is chosen for the upload.
    await waitForTestIdText(page, 'reconcile-format', 'youle');

    const csv = ['订单号,实付款(元),交易状态', 'YL-1,100.00,已完成', 'YL-2,50.00,已完成', 'YL-9,12.30,已完成'].join('\n');
    await page.getByTestId('reconcile-file').setInputFiles({ name: '邮乐订单.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
    await page.getByTestId('reconcile-upload').click();
    await page.getByTestId('reconcile-result').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('reconcile-matched').textContent()).toBe('2');
    expect(await page.getByTestId('reconcile-live-only').textContent()).toBe('1');
    expect(await page.getByTestId('reconcile-export-only').textContent()).toBe('1');
    await waitForTestIdText(page, 'reconcile-missing', 'YL-3');
    await waitForTestIdText(page, 'reconcile-extra', 'YL-9');
    expect(await page.getByTestId('reconcile-extra').textContent()).toContain('不在实时订单中');
    await waitForTestIdText(page, 'reconcile-verified', '¥162.30');
    await page.getByTestId('reconcile-result').scrollIntoViewIfNeeded();
    await screenshot(page, 'reports-reconcile-csv');
    await verifiedOnAnalysisPage('¥162.30');
  });

  test('a later xlsx export with the remembered format replaces the verified GMV (a refunded order counts 0)', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('订单');
    ws.addRow(['订单号', '实付款(元)', '交易状态']);
    ws.addRow(['YL-1', 100, '已完成']);
    ws.addRow(['YL-2', 50, '已退款']);
    ws.addRow(['YL-3', 80, '已完成']);
    const buffer = Buffer.from(await wb.xlsx.writeBuffer());
    await openReconcile();
    await pick(page, 'reconcile-format', 'youle');
    await page.getByTestId('reconcile-file').setInputFiles({ name: '邮乐订单.xlsx', mimeType: XLSX_TYPE, buffer });
    await page.getByTestId('reconcile-upload').click();
    await waitForTestIdText(page, 'reconcile-verified', '¥180.00', 15_000);
    expect(await page.getByTestId('reconcile-matched').textContent()).toBe('3');
    expect(await page.getByTestId('reconcile-live-only').textContent()).toBe('0');
    expect(await page.getByTestId('reconcile-export-only').textContent()).toBe('0');
    expect(await page.getByTestId('reconcile-missing').count()).toBe(0);
    await verifiedOnAnalysisPage('¥180.00');
    expect(errors).toEqual([]);
  });

  test('the analysis record and the city report download as xlsx through the UI, with the verified figure in them', async () => {
    await verifiedOnAnalysisPage('¥180.00');
    const record = await downloadWorkbook(page, () => page.getByTestId('analysis-download').click(), 'analysis.xlsx');
    expect(cellBy(record, '概览', '核验成交额（元）')).toBe('180.00');

    await page.goto(`${h.url}/city/analyses`);
    const report = await downloadWorkbook(page, () => page.getByTestId('city-report-download').click(), 'city-report.xlsx');
    expect(report.worksheets.map((w) => w.name)).toEqual(['汇总', '团队', '工单', '违规', '最佳场次（成交额）', '最佳场次（转化率）']);
    expect(cellBy(report, '汇总', '净成交额（元，暂定）')).toBe(230);
    expect(cellBy(report, '汇总', '核实成交额（元）')).toBe(180);
    expect(cellBy(report, '工单', '按时解决（30 分钟内）')).toBe(1);
  });

  test('the printable city report on A4: heading, every section, no navigation or buttons; a PDF with a page per section', async () => {
    await page.goto(`${h.url}/city/analyses`);
    await page.getByTestId('city-report-open').click();
    await page.waitForURL((url) => url.pathname === '/city/report');
    await waitForTestIdText(page, 'report-title', '南昌市');
    await waitForTestIdText(page, 'report-stage', '全部阶段');
    expect(await page.getByTestId('report-head').textContent()).toContain('赣邮杯');
    await waitForTestIdText(page, 'report-totals', '¥180.00');
    await waitForTestIdText(page, 'report-best-gmv', '赣鄱新农人');
    await waitForTestIdText(page, 'report-best-conversion', '1.50%'); // 3 orders / 200 viewers
    expect(await page.locator('[data-testid="report-tickets"] [data-cell="met"]').first().textContent()).toBe('1');
    await waitForTestIdText(page, 'report-violation-list', '夸大宣传');

    await page.setViewportSize(A4);
    await page.emulateMedia({ media: 'print' });
    try {
      for (const hidden of ['.app-layout__header', '.app-layout__aside', '[data-testid="report-tools"]', '[data-testid="report-print"]']) {
        expect(await page.locator(hidden).first().isVisible(), hidden).toBe(false);
      }
      for (const section of ['report-overview', 'report-teams', 'report-best', 'report-tickets-section', 'report-violations']) {
        expect(await page.getByTestId(section).isVisible(), section).toBe(true);
      }
      // The report fills the sheet's width: nothing wider than A4.
      const width = await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(A4.width + 1);
      await screenshot(page, 'reports-city-print-a4');
      const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
      await mkdir(OUT_DIR, { recursive: true });
      await writeFile(path.join(OUT_DIR, 'city-report.pdf'), pdf);
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      // Each of the five sections starts a page.
      expect(pdfPages(pdf)).toBeGreaterThanOrEqual(5);
    } finally {
      await page.emulateMedia({ media: 'screen' });
      await page.setViewportSize(LAPTOP);
    }
  });

  test('the province report: a row per city with the total, tickets and violations per city; prints without the frame', async () => {
    const browser = await launchBrowser({ viewport: LAPTOP });
    try {
      const p = await browser.newPage();
      await signIn(p, h.url, h.fx.users.province);
      await p.goto(`${h.url}/province/analyses`);
      await p.getByTestId('province-report-open').click();
      await p.waitForURL((url) => url.pathname === '/province/report');
      await waitForTestIdText(p, 'report-title', '全省');
      const row = (code: string) => p.locator(`[data-testid="report-cities-table"] tr[data-row="${code}"]`);
      await row(CITY_A).waitFor({ timeout: 10_000 });
      expect(await row(CITY_A).locator('[data-cell="net"]').textContent()).toBe('¥230.00');
      expect(await row('total').locator('[data-cell="verified"]').textContent()).toContain('¥180.00');
      expect(await p.locator(`[data-testid="report-tickets"] tr[data-row="${CITY_A}"] [data-cell="met"]`).textContent()).toBe('1');
      expect(await p.locator(`[data-testid="report-violation-counts"] tr[data-row="${CITY_A}"] [data-cell="warning"]`).textContent()).toBe('1');
      expect(await p.locator('[data-testid="report-cities-table"] tbody tr').count()).toBe(12);
      await p.setViewportSize(A4);
      await p.emulateMedia({ media: 'print' });
      expect(await p.locator('.app-layout__header').isVisible()).toBe(false);
      expect(await p.getByTestId('side-nav').isVisible()).toBe(false);
      expect(await p.getByTestId('report-download').isVisible()).toBe(false);
      await screenshot(p, 'reports-province-print-a4');
      await writeFile(path.join(OUT_DIR, 'province-report.pdf'), await p.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true }));
    } finally {
      await browser.close();
    }
  });
});

/** Pages in a PDF written by Chromium (its page objects are plain dictionaries). */
function pdfPages(pdf: Buffer): number {
  return pdf.toString('latin1').match(/\/Type\s*\/Page\b(?!s)/g)?.length ?? 0;
}
