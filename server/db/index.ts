// Opens the one database the hub uses: PostgreSQL when a URL is given, otherwise an embedded PGlite.
// Both come with a Prisma client and a raw SQL path that share the same connection(s).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import type { ParserOptions } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from './generated/client.ts';

export type DbKind = 'pglite' | 'postgres';

/** Raw SQL on a database or on one of its sessions. */
export interface SqlRunner {
  /** Runs a script of one or more statements (no parameters). */
  exec(sql: string): Promise<void>;
  /**
   * Rows look the same on both backends: int8 as a string (as node-postgres gives it), and `timestamp`
   * (Prisma's DateTime, stored in UTC) as a UTC Date, where both drivers would read it as local time and be
   * 8 hours off in a process running in Asia/Shanghai.
   */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface Database extends SqlRunner {
  prisma: PrismaClient;
  kind: DbKind;
  /** Where the data lives, safe to log: 'pglite:/abs/data/db', 'pglite:memory', 'postgres:host:5432/db'. */
  describe: string;
  /**
   * Runs `fn` on one dedicated session, for session state such as advisory locks. On PGlite (a single
   * session) calls are queued, so do not nest them.
   */
  withSession<T>(fn: (session: SqlRunner) => Promise<T>): Promise<T>;
  /** Releases the pool or the PGlite instance; safe to call twice. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** postgres:// URL; without it the embedded PGlite is used. */
  url?: string;
  /** PGlite data folder (created with its parents); undefined keeps the database in memory. */
  dataDir?: string;
  /** Errors of idle pooled connections (e.g. the server restarted); the pool replaces them either way. */
  onPoolError?: (error: Error) => void;
}

export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  return opts.url ? openPostgres(opts.url, opts.onPoolError) : openPGlite(opts.dataDir);
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}

const INT8 = 20;
const INT8_ARRAY = 1016;
const TIMESTAMP = 1114;
const TIMESTAMP_ARRAY = 1115;

function utcTimestamp(text: string): Date | string {
  return text === 'infinity' || text === '-infinity' ? text : new Date(`${text.replace(' ', 'T')}Z`);
}

// PGlite's array parser is a plain function, so node-postgres uses it too: pg's own `types.arrayParser` is an
// object at runtime, though @types/pg declares a function.
function utcTimestampArray(text: string): unknown {
  return pgliteTypes.arrayParser(text, utcTimestamp, TIMESTAMP);
}

const pgRawTypes: pg.CustomTypesConfig = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') => {
    if (oid === TIMESTAMP) return utcTimestamp;
    if (oid === TIMESTAMP_ARRAY) return utcTimestampArray;
    return pg.types.getTypeParser(oid, format);
  },
};

const pgliteRawParsers: ParserOptions = {
  [INT8]: (text) => text,
  [INT8_ARRAY]: (text) => pgliteTypes.arrayParser(text, (item) => item, INT8),
  [TIMESTAMP]: utcTimestamp,
  [TIMESTAMP_ARRAY]: utcTimestampArray,
};

function describeUrl(url: string): string {
  const u = new URL(url);
  return `postgres:${u.host || 'localhost'}${u.pathname}`;
}

async function openPostgres(url: string, onPoolError?: (error: Error) => void): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url });
  // Without a listener an idle connection's error would crash the process.
  pool.on('error', (error) => onPoolError?.(error));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const runner = (client: pg.Pool | pg.PoolClient): SqlRunner => ({
    async exec(sql) {
      await client.query(sql);
    },
    async query<T>(sql: string, params?: unknown[]) {
      const result = await client.query({ text: sql, values: params, types: pgRawTypes });
      return result.rows as T[];
    },
  });
  return {
    prisma,
    kind: 'postgres',
    describe: describeUrl(url),
    ...runner(pool),
    async withSession(fn) {
      const client = await pool.connect();
      let failed = false;
      try {
        return await fn(runner(client));
      } catch (error) {
        failed = true;
        throw error;
      } finally {
        // After a failure the session may still hold locks or be broken: close it rather than pool it.
        client.release(failed);
      }
    },
    close: once(async () => {
      await prisma.$disconnect();
      await pool.end();
    }),
  };
}

async function openPGlite(dataDir: string | undefined): Promise<Database> {
  let pglite: PGlite;
  if (dataDir) {
    const dir = path.resolve(dataDir);
    await mkdir(dir, { recursive: true });
    pglite = await PGlite.create(dir);
  } else {
    pglite = await PGlite.create();
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  const runner: SqlRunner = {
    async exec(sql) {
      await pglite.exec(sql);
    },
    async query<T>(sql: string, params?: unknown[]) {
      return (await pglite.query<T>(sql, params, { parsers: pgliteRawParsers })).rows;
    },
  };
  // PGlite is one session: queue the callers so two of them never interleave "their" session.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    prisma,
    kind: 'pglite',
    describe: `pglite:${dataDir ? path.resolve(dataDir) : 'memory'}`,
    ...runner,
    withSession(fn) {
      const run = queue.then(() => fn(runner));
      queue = run.catch(() => undefined);
      return run;
    },
    close: once(async () => {
      await prisma.$disconnect();
      if (!pglite.closed) await pglite.close();
    }),
  };
}
