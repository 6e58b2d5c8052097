// Throwaway databases for tests: an in-memory PGlite, or a new PostgreSQL database that close() drops.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database, type DbKind } from '../../server/db/index.ts';
import { migrate } from '../../server/db/migrate.ts';

/** Every suite that touches the database runs against both: `describe.each(dbKinds)('%s', (kind) => …)`. */
export const dbKinds = ['pglite', 'postgres'] as const satisfies readonly DbKind[];

/** A database to connect to while creating and dropping test databases (trust auth on this machine and in CI). */
export const adminUrl = process.env['TEST_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/test';

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  try {
    await client.connect();
  } catch (error) {
    // Never skip: a missing PostgreSQL must fail the run, in CI above all.
    throw new Error(
      `PostgreSQL is not reachable at ${adminUrl} (set TEST_DATABASE_URL, or start it: ` +
        'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start)',
      { cause: error },
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates an empty, uniquely named PostgreSQL database (or a copy of `template`, one of these, with no connection
 * open to it); `drop()` removes it even if connections remain.
 */
export async function createTestDatabase(opts: { template?: string } = {}): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `test_${process.pid}_${randomBytes(4).toString('hex')}`;
  if (opts.template !== undefined && !/^test_\d+_[0-9a-f]{8}$/.test(opts.template)) throw new Error(`not a test database: ${opts.template}`);
  await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}"${opts.template ? ` TEMPLATE "${opts.template}"` : ''}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    name,
    drop: () =>
      (dropped ??= withAdmin(async (admin) => {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      })),
  };
}

/** A new database of that kind, migrated unless `migrate: false`; close() also drops a PostgreSQL one. */
export async function freshDatabase(kind: DbKind, opts: { migrate?: boolean } = {}): Promise<Database> {
  let db: Database;
  if (kind === 'pglite') {
    db = await openDatabase({});
  } else {
    const target = await createTestDatabase();
    const opened = await openDatabase({ url: target.url }).catch(async (error: unknown) => {
      await target.drop();
      throw error;
    });
    let closing: Promise<void> | undefined;
    db = {
      ...opened,
      close: () =>
        (closing ??= (async () => {
          await opened.close();
          await target.drop();
        })()),
    };
  }
  if (opts.migrate === false) return db;
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
