// A clean logical Redis database (1–15) for this test process, so test files running in parallel, and test
// runs started by other people on the same Redis, never see or flush each other's keys. Fails loudly when
// Redis is not running: the Redis live store is the production path and its tests are never skipped.
import { hostname } from 'node:os';
import { Redis } from 'ioredis';

const HOST = '127.0.0.1:6379';
const DATABASES = 15;
/** Held in a claimed database while its process lives; expires soon after the process is gone. */
const OWNER_KEY = 'test:owner';
const OWNER_TTL_S = 60;
const owner = `${hostname()}:${process.pid}`;

const RENEW_LUA = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('EXPIRE', KEYS[1], ARGV[2]) end return 0";

let claimed: number | undefined;

/** `redis://127.0.0.1:6379/<n>`, emptied. Every call empties it again: call it before opening stores, not between. */
export async function freshRedisUrl(): Promise<string> {
  const admin = await connect();
  try {
    claimed ??= await claim(admin);
    await admin.select(claimed);
    await admin.multi().flushdb().set(OWNER_KEY, owner, 'EX', OWNER_TTL_S).exec();
    return `redis://${HOST}/${claimed}`;
  } finally {
    admin.disconnect();
  }
}

async function connect(): Promise<Redis> {
  const admin = new Redis(`redis://${HOST}`, {
    lazyConnect: true,
    protocol: 2,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  admin.on('error', () => {}); // reported by connect() below
  try {
    await admin.connect();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`Redis is not reachable at ${HOST} (${why}); start it as docs/DESIGN.md "Services" says`);
  }
  return admin;
}

/** Starts at a database picked by the vitest pool id and takes the first one no live process holds. */
async function claim(admin: Redis): Promise<number> {
  const pool = Number(process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? 1);
  const start = (Number.isFinite(pool) ? pool - 1 : 0) % DATABASES;
  for (let i = 0; i < DATABASES; i++) {
    const db = ((start + i) % DATABASES) + 1;
    await admin.select(db);
    const took = await admin.set(OWNER_KEY, owner, 'EX', OWNER_TTL_S, 'NX');
    if (took === 'OK' || (await admin.get(OWNER_KEY)) === owner) {
      keepClaim(db);
      return db;
    }
  }
  throw new Error(`all ${DATABASES} Redis test databases at ${HOST} are in use`);
}

/** Renews the claim while this process runs; the timer does not keep the process alive. */
function keepClaim(db: number): void {
  const renew = async (): Promise<void> => {
    const admin = await connect();
    try {
      await admin.select(db);
      // Only while still ours: a claim that lapsed may have been taken by another run since.
      await admin.eval(RENEW_LUA, 1, OWNER_KEY, owner, OWNER_TTL_S);
    } finally {
      admin.disconnect();
    }
  };
  setInterval(() => void renew().catch(() => {}), (OWNER_TTL_S * 1000) / 3).unref();
}
