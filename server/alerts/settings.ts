// The response settings the province tunes: alert thresholds and ticket SLA. Stored in Setting like the
// others, but parsed here (contracts/response.ts) with every field defaulted, so a partial or stale value
// never breaks the evaluator.
import { AlertThresholds, TicketSla, type ResponseSettingDto } from '../../contracts/response';
import type { Prisma } from '../db/generated/client.ts';
import type { Actor } from '../domain/permissions';
import { audit } from '../services/audit';

export const THRESHOLDS_KEY = 'alerts.thresholds';
export const SLA_KEY = 'tickets.sla';

type Reader = Pick<Prisma.TransactionClient, 'setting'>;
type Writer = Pick<Prisma.TransactionClient, 'setting' | 'auditLog'>;

export const DEFAULT_THRESHOLDS: AlertThresholds = AlertThresholds.parse({});
export const DEFAULT_SLA: TicketSla = TicketSla.parse({});

export type SettingOut<T> = ResponseSettingDto<T>;

async function read<T>(db: Reader, key: string, parse: (v: unknown) => T | undefined, fallback: T): Promise<SettingOut<T>> {
  const row = await db.setting.findUnique({ where: { key } });
  const value = row ? parse(row.value) : undefined;
  return { key, value: value ?? fallback, isDefault: !row, updatedAt: row?.updatedAt.toISOString() ?? null };
}

export const readThresholds = (db: Reader) =>
  read(db, THRESHOLDS_KEY, (v) => AlertThresholds.safeParse(v).data, DEFAULT_THRESHOLDS);
export const readSla = (db: Reader) => read(db, SLA_KEY, (v) => TicketSla.safeParse(v).data, DEFAULT_SLA);

/** Stores the full parsed value (defaults filled in), audited with before and after. */
async function write<T extends Prisma.InputJsonValue>(tx: Writer, actor: Actor, key: string, value: T): Promise<SettingOut<T>> {
  const before = await tx.setting.findUnique({ where: { key } });
  const row = await tx.setting.upsert({ where: { key }, create: { key, value, updatedBy: actor.id }, update: { value, updatedBy: actor.id } });
  await audit(tx, actor, { action: 'setting.update', entity: 'Setting', entityId: key, before: before ? { value: before.value } : null, after: { value } });
  return { key, value, isDefault: false, updatedAt: row.updatedAt.toISOString() };
}

export const writeThresholds = (tx: Writer, actor: Actor, raw: unknown) => write(tx, actor, THRESHOLDS_KEY, AlertThresholds.parse(raw));
export const writeSla = (tx: Writer, actor: Actor, raw: unknown) => write(tx, actor, SLA_KEY, TicketSla.parse(raw));
