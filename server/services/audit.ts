// Append-only audit log of every manual change: who, when, what, before and after, why.
import type { Actor } from '../domain/permissions';
import type { Prisma } from '../db/generated/client.ts';

type AuditClient = { auditLog: { create(args: { data: Prisma.AuditLogUncheckedCreateInput }): Promise<unknown> } };

export interface AuditEntry {
  action: string;
  entity: string;
  entityId?: string | number | null;
  cityCode?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
}

/** JSON-safe copy: Dates to ISO strings, BigInt to strings, secrets dropped. */
function snapshot(v: unknown): Prisma.InputJsonValue | undefined {
  if (v === undefined || v === null) return undefined;
  return JSON.parse(
    JSON.stringify(v, (k, val: unknown) => {
      if (k === 'passwordHash' || k === 'keyHash' || k === 'tokenHash') return undefined;
      return typeof val === 'bigint' ? val.toString() : val;
    }),
  ) as Prisma.InputJsonValue;
}

/** Write inside the same transaction as the change when there is one (`tx`). */
export async function audit(client: AuditClient, actor: Actor | null, e: AuditEntry): Promise<void> {
  const before = snapshot(e.before);
  const after = snapshot(e.after);
  await client.auditLog.create({
    data: {
      actorId: actor?.id ?? null,
      actorRole: actor?.role ?? 'system',
      action: e.action,
      entity: e.entity,
      entityId: e.entityId == null ? null : String(e.entityId),
      cityCode: e.cityCode ?? null,
      ...(before !== undefined ? { before } : {}),
      ...(after !== undefined ? { after } : {}),
      reason: e.reason ?? null,
    },
  });
}
