// The operator's CLI, run as a real process against a real database.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase } from '../helpers/db.ts';
import { openDatabase, type Database } from '../../server/db/index.ts';
import { sha256 } from '../../server/auth/secrets.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

async function cli(env: Record<string, string>, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', 'server/cli/index.ts', ...args], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'warn', ...env },
    });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}

describe('npm run cli against PostgreSQL', () => {
  let target: Awaited<ReturnType<typeof createTestDatabase>>;
  let env: Record<string, string>;
  let db: Database;

  beforeAll(async () => {
    target = await createTestDatabase();
    env = { DATABASE_URL: target.url };
  });
  afterAll(async () => {
    await db?.close();
    await target?.drop();
  });

  test('migrate applies the migrations and reports them up to date', async () => {
    const r = await cli(env, 'migrate');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/up to date/);
    db = await openDatabase({ url: target.url });
    const rows = await db.query<{ n: string }>('select count(*) as n from _prisma_migrations where finished_at is not null');
    expect(Number(rows[0]!.n)).toBeGreaterThanOrEqual(2);
  });

  test('seed demo fills the contest once; running it again changes nothing', async () => {
    const first = await cli(env, 'seed', 'demo');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/seeded: 11 cities/);
    const counts = async () => ({
      teams: await db.prisma.team.count(),
      members: await db.prisma.member.count(),
      sessions: await db.prisma.liveSession.count(),
      users: await db.prisma.user.count(),
    });
    const before = await counts();
    expect(before.teams).toBeGreaterThanOrEqual(90);
    expect(before.sessions).toBeGreaterThan(100);
    const again = await cli(env, 'seed', 'demo');
    expect(again.out).toMatch(/nothing changed/);
    expect(await counts()).toEqual(before);
    expect(again.out).toMatch(/province → province, city → city360100, team → team\d+/);
  });

  test('the demo schedule never books an OMS account twice in overlapping slots', async () => {
    const rows = await db.query<{ n: string }>(`
      select count(*) as n from "LiveSession" a join "LiveSession" b
        on a."accountId" = b."accountId" and a.id < b.id
       and a."plannedStart" < b."plannedEnd" and b."plannedStart" < a."plannedEnd"`);
    expect(Number(rows[0]!.n)).toBe(0);
  });

  test('user add creates a user that can be found by name; a short password is refused', async () => {
    const ok = await cli(env, 'user', 'add', '--role', 'province', '--username', 'admin', '--password', 'long-enough-1');
    expect(ok.code).toBe(0);
    expect(await db.prisma.user.findUnique({ where: { username: 'admin' } })).toMatchObject({ role: 'province' });
    const short = await cli(env, 'user', 'add', '--role', 'province', '--username', 'x', '--password', 'short');
    expect(short.code).toBe(2);
    expect(short.err).toMatch(/at least 8/);
    const dup = await cli(env, 'user', 'add', '--role', 'province', '--username', 'admin', '--password', 'long-enough-1');
    expect(dup.code).toBe(1);
    expect(dup.err).toMatch(/already exists/);
  });

  test('collector-key add prints the key alone on the last line and stores only its hash', async () => {
    const r = await cli(env, 'collector-key', 'add', '--city', '360100', '--label', 'ci');
    expect(r.code).toBe(0);
    const key = r.out.trim().split('\n').at(-1)!;
    expect(key).toMatch(/^ck_[A-Za-z0-9_-]{20,}$/);
    const row = await db.prisma.collectorKey.findUnique({ where: { keyHash: sha256(key) } });
    expect(row).toMatchObject({ cityCode: '360100', label: 'ci' });
    expect(JSON.stringify(row)).not.toContain(key);
    expect((await cli(env, 'collector-key', 'add')).code).toBe(2);
    const listed = await cli(env, 'collector-key', 'list');
    expect(listed.out).toMatch(new RegExp(`^${row!.id}\\t${key.slice(0, 7)}…\\tcity 360100\\tci\\tactive$`, 'm'));
    const revoked = await cli(env, 'collector-key', 'revoke', String(row!.id));
    expect(revoked.code).toBe(0);
    expect((await db.prisma.collectorKey.findUniqueOrThrow({ where: { id: row!.id } })).revokedAt).not.toBeNull();
    expect((await cli(env, 'collector-key', 'revoke', String(row!.id))).code).toBe(1);
  });

  test('an unknown command or a bad DATABASE_URL exits non-zero with a message', async () => {
    expect((await cli(env, 'bogus')).code).toBe(2);
    const bad = await cli({ DATABASE_URL: 'mysql://nope' }, 'migrate');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/DATABASE_URL/);
  });
});

describe('npm run cli on the embedded database', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gy-cli-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('creates the data folder and keeps what was written across runs', async () => {
    const dataDir = path.join(dir, 'nested', 'data');
    expect((await cli({ DATA_DIR: dataDir }, 'user', 'add', '--role', 'province', '--username', 'p1', '--password', 'long-enough-1')).code).toBe(0);
    const again = await cli({ DATA_DIR: dataDir }, 'user', 'add', '--role', 'province', '--username', 'p1', '--password', 'long-enough-1');
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already exists/);
  });
});
