// Picks the live store: Redis when a URL is configured (several hubs), the in-process store otherwise.
import type { LiveStore } from './store';
import { MemoryLiveStore } from './memory-store';
import { RedisLiveStore } from './redis-store';

/** Resolves once the store is usable; with Redis, fails (after ioredis' retries) if it cannot be reached. */
export async function openLiveStore(redisUrl?: string): Promise<LiveStore> {
  if (!redisUrl) return new MemoryLiveStore();
  const store = new RedisLiveStore(redisUrl);
  try {
    await store.ready();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
