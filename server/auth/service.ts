// Sign-in, bearer tokens and collector keys, backed by the database.
import type { Database } from '../db/index';
import type { Clock } from '../clock';
import type { Actor } from '../domain/permissions';
import type { SessionUser } from '../../contracts/auth';
import { hashPassword, verifyPassword } from './passwords';
import { newSecret, sha256 } from './secrets';

export interface CollectorScope {
  keyId: number;
  cityCode?: string;
  teamId?: number;
}

type UserRow = { id: number; username: string; displayName: string | null; role: Actor['role']; cityCode: string | null; teamId: number | null };

export function toActor(u: UserRow): Actor {
  return {
    id: u.id,
    username: u.username,
    role: u.role,
    ...(u.cityCode ? { cityCode: u.cityCode } : {}),
    ...(u.teamId ? { teamId: u.teamId } : {}),
  };
}

export function toSessionUser(u: UserRow): SessionUser {
  return { ...toActor(u), displayName: u.displayName };
}

const KEY_CACHE_MS = 10_000;

export class AuthService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly tokenTtlMs: number,
  ) {}

  /** Returns null for a wrong pair, whether or not the user exists (same time, same answer). */
  async login(username: string, password: string): Promise<{ token: string; expiresAt: Date; user: UserRow } | null> {
    const user = await this.db.prisma.user.findUnique({ where: { username } });
    const ok = await verifyPassword(user && !user.disabled ? user.passwordHash : undefined, password);
    if (!ok || !user || user.disabled) return null;
    const token = newSecret('gy');
    const expiresAt = new Date(this.clock.now() + this.tokenTtlMs);
    await this.db.prisma.authToken.create({ data: { tokenHash: sha256(token), userId: user.id, expiresAt } });
    return { token, expiresAt, user };
  }

  async authenticate(token: string): Promise<UserRow | null> {
    const row = await this.db.prisma.authToken.findUnique({
      where: { tokenHash: sha256(token) },
      include: { user: true },
    });
    if (!row || row.revokedAt || row.expiresAt.getTime() <= this.clock.now() || row.user.disabled) return null;
    return row.user;
  }

  async revoke(token: string): Promise<void> {
    await this.db.prisma.authToken.updateMany({
      where: { tokenHash: sha256(token), revokedAt: null },
      data: { revokedAt: new Date(this.clock.now()) },
    });
  }

  // Collectors send a batch or more a second; a revoked key stops working within KEY_CACHE_MS.
  private readonly keyCache = new Map<string, { scope: CollectorScope | null; until: number }>();

  async collectorScope(key: string): Promise<CollectorScope | null> {
    const hit = this.keyCache.get(key);
    const now = this.clock.now();
    if (hit && hit.until > now) return hit.scope;
    const scope = await this.lookupKey(key);
    if (this.keyCache.size > 10_000) this.keyCache.clear();
    this.keyCache.set(key, { scope, until: now + KEY_CACHE_MS });
    return scope;
  }

  private async lookupKey(key: string): Promise<CollectorScope | null> {
    const row = await this.db.prisma.collectorKey.findUnique({ where: { keyHash: sha256(key) } });
    if (!row || row.revokedAt) return null;
    return {
      keyId: row.id,
      ...(row.cityCode ? { cityCode: row.cityCode } : {}),
      ...(row.teamId ? { teamId: row.teamId } : {}),
    };
  }
}

export async function createUser(
  db: Database,
  input: { username: string; password: string; role: Actor['role']; cityCode?: string; teamId?: number; displayName?: string },
) {
  if (input.role === 'city' && !input.cityCode) throw new Error('a city user needs --city');
  if (input.role === 'team' && !input.teamId) throw new Error('a team user needs --team');
  let cityCode = input.role === 'city' ? input.cityCode : undefined;
  if (input.role === 'team') {
    const team = await db.prisma.team.findUnique({ where: { id: input.teamId! } });
    if (!team) throw new Error(`team ${input.teamId} does not exist`);
    cityCode = team.cityCode;
  }
  return db.prisma.user.create({
    data: {
      username: input.username,
      passwordHash: await hashPassword(input.password),
      role: input.role,
      cityCode: cityCode ?? null,
      teamId: input.role === 'team' ? input.teamId! : null,
      displayName: input.displayName ?? null,
    },
  });
}

/** Returns the key once; only its hash is stored. */
export async function createCollectorKey(
  db: Database,
  scope: { cityCode?: string; teamId?: number; label?: string },
): Promise<{ id: number; key: string }> {
  if (!scope.cityCode === !scope.teamId) throw new Error('a collector key needs exactly one of --city or --team');
  const key = newSecret('ck');
  const row = await db.prisma.collectorKey.create({
    data: {
      keyHash: sha256(key),
      prefix: key.slice(0, 7),
      label: scope.label ?? null,
      cityCode: scope.cityCode ?? null,
      teamId: scope.teamId ?? null,
    },
  });
  return { id: row.id, key };
}
