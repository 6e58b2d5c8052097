// Applies prisma/migrations/<timestamp>_<name>/migration.sql the way `prisma migrate deploy` does, recorded in
// Prisma's own _prisma_migrations table, so Prisma's tools and this runner each see the other's work.
import { createHash, randomUUID } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database, SqlRunner } from './index.ts';

/** The advisory lock key Prisma's schema engine takes, so runner and Prisma exclude each other too. */
const LOCK_KEY = 72707369;

export const defaultMigrationsDir = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

// Prisma's DDL for the table, column for column.
const createTable = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export class MigrationError extends Error {
  override name = 'MigrationError';
}

interface LocalMigration {
  name: string;
  script: string;
  checksum: string;
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
}

export function checksum(script: string): string {
  return createHash('sha256').update(script, 'utf8').digest('hex');
}

// Like Prisma, accept a file whose only change is its line endings (a Windows checkout).
function matchesChecksum(script: string, recorded: string): boolean {
  const lf = script.replace(/\r\n/g, '\n');
  return [script, lf, lf.replace(/\n/g, '\r\n')].some((variant) => checksum(variant) === recorded);
}

export async function readMigrations(migrationsDir: string): Promise<LocalMigration[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const script = await readFile(path.join(migrationsDir, name, 'migration.sql'), 'utf8');
      return { name, script, checksum: checksum(script) };
    }),
  );
}

async function withLock<T>(
  session: SqlRunner,
  log: (msg: string) => void,
  fn: () => Promise<T>,
): Promise<T> {
  const [row] = await session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [LOCK_KEY]);
  if (!row?.locked) {
    log('waiting for another process to finish migrating');
    await session.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
  }
  try {
    return await fn();
  } finally {
    await session.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
  }
}

function refuseBrokenHistory(local: LocalMigration[], applied: AppliedRow[]): void {
  const failed = applied.filter((row) => row.finished_at === null).map((row) => row.migration_name);
  if (failed.length) {
    throw new MigrationError(
      `Migration ${failed.join(', ')} failed earlier and was not rolled back. Fix the database by hand, then ` +
        `mark it rolled back (UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '…') ` +
        'or finished, and start again.',
    );
  }
  const byName = new Map(local.map((m) => [m.name, m]));
  const edited = applied
    .filter((row) => {
      const file = byName.get(row.migration_name);
      return file !== undefined && !matchesChecksum(file.script, row.checksum);
    })
    .map((row) => row.migration_name);
  if (edited.length) {
    throw new MigrationError(
      `Migration ${edited.join(', ')} was changed after it was applied (checksum differs). Restore the ` +
        'applied file and put the change in a new migration.',
    );
  }
}

async function applyOne(session: SqlRunner, migration: LocalMigration): Promise<void> {
  const id = randomUUID();
  await session.query(
    'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) ' +
      'VALUES ($1, $2, $3, now(), 0)',
    [id, migration.checksum, migration.name],
  );
  try {
    // One simple-protocol script: PostgreSQL runs it as one implicit transaction, as Prisma does.
    await session.exec(migration.script);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // The row stays unfinished, so the next start refuses until someone looks (Prisma's P3009).
    await session.query('UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1', [id, message]);
    throw new MigrationError(`Migration ${migration.name} failed: ${message}`, { cause: error });
  }
  await session.query(
    'UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1',
    [id],
  );
}

export async function migrate(
  db: Database,
  opts: { migrationsDir?: string; log?: (msg: string) => void } = {},
): Promise<{ applied: string[] }> {
  const log = opts.log ?? (() => undefined);
  const local = await readMigrations(opts.migrationsDir ?? defaultMigrationsDir);
  return db.withSession((session) =>
    withLock(session, log, async () => {
      await session.exec(createTable);
      const rows = await session.query<AppliedRow>(
        'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
      );
      refuseBrokenHistory(local, rows);
      const done = new Set(rows.map((row) => row.migration_name));
      const unknown = [...done].filter((name) => !local.some((m) => m.name === name));
      if (unknown.length) log(`database has migrations this code does not know: ${unknown.join(', ')}`);
      const applied: string[] = [];
      for (const migration of local.filter((m) => !done.has(m.name))) {
        log(`applying migration ${migration.name}`);
        await applyOne(session, migration);
        applied.push(migration.name);
      }
      return { applied };
    }),
  );
}
