// `npm run screenshots`: the README's pictures, taken from the real demo. Starts `npm run demo` on a fresh
// embedded database in a temporary folder, lets the simulator run for a while, signs each role in through the
// login page in Debian's Chromium and saves docs/screens/{wall,city-room,team-phone,…}.png. Needs the built client.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { freePort } from '../bench/procs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'docs', 'screens');
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
/** How long the simulator runs before the first picture, so curves and boards have something to show. */
const WARM_MS = Number(process.env['SCREENS_WARM_MS'] ?? 90_000);

interface Shot {
  file: string;
  user: string;
  path: string;
  viewport: { width: number; height: number };
  /** What must be on screen before the picture is taken. */
  ready: string;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gy-screens-'));
  const port = await freePort();
  // The embedded default, whatever the caller's shell says.
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
  delete env['REDIS_URL'];
  delete env['DATABASE_URL'];
  const demo = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  demo.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  let browser: Browser | undefined;
  try {
    const started = Date.now();
    while (!/demo running/.test(out)) {
      if (demo.exitCode !== null) throw new Error(`the demo exited:\n${out}`);
      if (Date.now() - started > 180_000) throw new Error(`the demo did not start in 3 minutes:\n${out}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const team = /team → (\S+)/.exec(out)?.[1];
    const password = /password (\S+?)\)/.exec(out)?.[1];
    if (!team || !password) throw new Error(`no sign-ins in the demo's banner:\n${out}`);
    console.log(`demo up on port ${port}; letting the simulator run ${WARM_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, WARM_MS));

    const base = `http://127.0.0.1:${port}`;
    // The team picture shows a team on air: the first live session in Nanchang, else the banner's team.
    const liveTeam = (await liveTeamUser(base, password)) ?? team;
    const shots: Shot[] = [
      { file: 'wall.png', user: 'province', path: '/province/wall', viewport: { width: 1920, height: 1080 }, ready: '[data-testid="wall-connection"][data-state="connected"]' },
      { file: 'city-room.png', user: 'city360100', path: '/city/room', viewport: { width: 1440, height: 900 }, ready: '[data-testid="live-connection"][data-state="connected"]' },
      { file: 'team-phone.png', user: liveTeam, path: '/team/live', viewport: { width: 390, height: 844 }, ready: '[data-testid="live-connection"][data-state="connected"]' },
    ];
    mkdirSync(OUT, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    for (const s of shots) {
      const context = await browser.newContext({ viewport: s.viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', deviceScaleFactor: 1 });
      const page = await context.newPage();
      await page.goto(`${base}/login`);
      await page.getByTestId('login-username').fill(s.user);
      await page.getByTestId('login-password').fill(password);
      await page.getByTestId('login-submit').click();
      await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 15_000 });
      if (new URL(page.url()).pathname !== s.path) await page.goto(`${base}${s.path}`);
      await page.locator(s.ready).waitFor({ timeout: 15_000 });
      // Charts animate in and rolling digits settle: wait for the page to have been still for a moment.
      await page.waitForLoadState('networkidle').catch(() => undefined);
      await page.waitForFunction('document.fonts.status === "loaded"', undefined, { timeout: 10_000 });
      await page.waitForTimeout(2500); // a picture, not a test: let animations finish
      await page.screenshot({ path: path.join(OUT, s.file), animations: 'disabled' });
      console.log(`saved docs/screens/${s.file}`);
      await context.close();
    }
  } finally {
    await browser?.close();
    demo.kill('SIGTERM');
    await new Promise((r) => demo.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function liveTeamUser(base: string, password: string): Promise<string | null> {
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'province', password }),
  });
  if (!login.ok) return null;
  const { token } = (await login.json()) as { token: string };
  const r = await fetch(`${base}/api/v1/sessions?status=live&cityCode=360100&limit=20`, { headers: { authorization: `Bearer ${token}` } });
  if (!r.ok) return null;
  const { items } = (await r.json()) as { items: Array<{ teamId: number }> };
  return items[0] ? `team${items[0].teamId}` : null;
}

main().catch((err: unknown) => {
  console.error('screenshots failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
