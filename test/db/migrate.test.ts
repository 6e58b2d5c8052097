import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { openDatabase, type Database, type DbKind } from '../../server/db/index.ts';
import { defaultMigrationsDir, migrate } from '../../server/db/migrate.ts';
import { createTestDatabase, dbKinds, freshDatabase } from '../helpers/db.ts';

interface MigrationRow {
  id: string;
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
  logs: string | null;
}

async function migrationFiles(dir = defaultMigrationsDir): Promise<{ name: string; sha256: string }[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const bytes = await readFile(path.join(dir, name, 'migration.sql'));
      return { name, sha256: createHash('sha256').update(bytes).digest('hex') };
    }),
  );
}

function migrationRows(db: Database): Promise<MigrationRow[]> {
  return db.query<MigrationRow>('SELECT * FROM "_prisma_migrations" ORDER BY migration_name, started_at');
}

/** Closed after each test, whatever happened in it. */
const opened: { close(): Promise<void> }[] = [];
const tempDirs: string[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.close()));
  await Promise.all(tempDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function fresh(kind: DbKind, opts?: { migrate?: boolean }): Promise<Database> {
  const db = await freshDatabase(kind, opts);
  opened.push(db);
  return db;
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ganyou-db-'));
  tempDirs.push(dir);
  return dir;
}

/** Two handles on one new, unmigrated database: two pools for PostgreSQL, the same instance for PGlite. */
async function twoHandles(kind: DbKind): Promise<[Database, Database]> {
  if (kind === 'pglite') {
    const db = await fresh(kind, { migrate: false });
    return [db, db];
  }
  const target = await createTestDatabase();
  const a = await openDatabase({ url: target.url });
  const b = await openDatabase({ url: target.url });
  opened.push(a, b, { close: target.drop });
  return [a, b];
}

describe.each(dbKinds)('migrate() on %s', (kind) => {
  test('applies every migration in name order and records each with the sha256 of its file', async () => {
    const files = await migrationFiles();
    expect(files.slice(0, 2).map((f) => f.name.replace(/^\d{14}_/, ''))).toEqual(['init', 'audit_append_only']);
    const db = await fresh(kind, { migrate: false });

    const { applied } = await migrate(db);

    expect(applied).toEqual(files.map((f) => f.name));
    const rows = await migrationRows(db);
    expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual(files.map((f) => [f.name, f.sha256]));
    for (const row of rows) {
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.finished_at).not.toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  test('applies nothing the second time', async () => {
    const db = await fresh(kind);

    expect(await migrate(db)).toEqual({ applied: [] });
    expect(await migrationRows(db)).toHaveLength((await migrationFiles()).length);
  });

  test('two concurrent runs on one new database both succeed and apply each migration once', async () => {
    const names = (await migrationFiles()).map((f) => f.name);
    const [a, b] = await twoHandles(kind);

    const [first, second] = await Promise.all([migrate(a), migrate(b)]);

    expect([...first.applied, ...second.applied].sort()).toEqual(names);
    expect([first.applied, second.applied]).toContainEqual([]);
    expect((await migrationRows(a)).map((r) => r.migration_name)).toEqual(names);
  });

  test('refuses an applied migration whose file has changed since', async () => {
    const db = await fresh(kind);
    const [first] = await migrationFiles();
    await db.query('UPDATE "_prisma_migrations" SET checksum = $1 WHERE migration_name = $2', [
      '0'.repeat(64),
      first?.name,
    ]);

    await expect(migrate(db)).rejects.toThrow(/changed after it was applied/);
  });

  test('records a failing migration as unfinished and refuses to go on until it is resolved', async () => {
    const dir = await tempDir();
    const write = async (name: string, sql: string) => {
      await mkdir(path.join(dir, name));
      await writeFile(path.join(dir, name, 'migration.sql'), sql);
    };
    await write('20200101000000_ok', 'CREATE TABLE "Ok" (id INT);');
    await write('20200101000001_bad', 'CREATE TABLE "Half" (id INT);\nSELECT no_such_column FROM "Ok";');
    const db = await fresh(kind, { migrate: false });

    await expect(migrate(db, { migrationsDir: dir })).rejects.toThrow(/20200101000001_bad failed: .*no_such_column/);
    const rows = await migrationRows(db);
    expect(rows.map((r) => [r.migration_name, r.finished_at === null])).toEqual([
      ['20200101000000_ok', false],
      ['20200101000001_bad', true],
    ]);
    expect(rows[1]?.logs).toMatch(/no_such_column/);
    // The failed script ran as one transaction: its first statement is gone too.
    expect(await db.query(`SELECT to_regclass('"Half"') AS t`)).toEqual([{ t: null }]);

    await expect(migrate(db, { migrationsDir: dir })).rejects.toThrow(/20200101000001_bad failed earlier/);
  });

  test('leaves AuditLog append-only: UPDATE, DELETE and TRUNCATE are refused', async () => {
    const db = await fresh(kind);
    const entry = await db.prisma.auditLog.create({ data: { action: 'team.update', entity: 'Team', entityId: '1' } });

    await expect(
      db.prisma.auditLog.update({ where: { id: entry.id }, data: { action: 'rewritten' } }),
    ).rejects.toThrow(/AuditLog is append-only/);
    await expect(db.prisma.auditLog.delete({ where: { id: entry.id } })).rejects.toThrow(/AuditLog is append-only/);
    await expect(db.exec('DELETE FROM "AuditLog"')).rejects.toThrow(/AuditLog is append-only/);
    await expect(db.exec('TRUNCATE "AuditLog"')).rejects.toThrow(/AuditLog is append-only/);

    expect(await db.prisma.auditLog.findMany()).toEqual([entry]);
    await db.prisma.auditLog.create({ data: { action: 'team.update', entity: 'Team', entityId: '2' } });
    expect(await db.prisma.auditLog.count()).toBe(2);
  });
});

test('a PGlite data folder (parents created) survives close and reopen', async () => {
  const dataDir = path.join(await tempDir(), 'nested', 'data', 'db');
  const first = await openDatabase({ dataDir });
  opened.push(first);
  expect(first.describe).toBe(`pglite:${dataDir}`);
  expect((await migrate(first)).applied.length).toBeGreaterThan(0);
  await first.prisma.setting.create({ data: { key: 'scoreboard.public', value: { on: true } } });
  await first.close();

  const second = await openDatabase({ dataDir });
  opened.push(second);

  expect(await migrate(second)).toEqual({ applied: [] });
  expect(await second.prisma.setting.findUnique({ where: { key: 'scoreboard.public' } })).toMatchObject({
    value: { on: true },
  });
});
