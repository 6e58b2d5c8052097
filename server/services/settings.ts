// Province settings (one JSON value per key in Setting), read through typed getters with defaults so a
// missing or malformed row never breaks a caller.
import { z } from 'zod';
import { SettingValues, type SettingDto, type SettingKey, type SettingValue } from '../../contracts/schedule';
import type { Prisma } from '../db/generated/client.ts';
import type { Actor } from '../domain/permissions';
import type { ChecklistGate } from '../domain/checklist';
import { audit } from './audit';

export const SETTING_DEFAULTS: { [K in SettingKey]: SettingValue<K> } = {
  'checklist.blocksLive': false,
  'wall.bigOrderFen': 20_000,
  'scoreboard.public': { enabled: false, stageId: null, gmv: 'exact', basis: 'provisional' },
};

type SettingReader = Pick<Prisma.TransactionClient, 'setting'>;
type SettingWriter = Pick<Prisma.TransactionClient, 'setting' | 'auditLog'>;
type SettingRow = { value: unknown };

export const isSettingKey = (key: string): key is SettingKey => Object.hasOwn(SettingValues, key);

function decode<K extends SettingKey>(key: K, row: SettingRow | null): SettingValue<K> {
  if (!row) return SETTING_DEFAULTS[key];
  const parsed = SettingValues[key].safeParse(row.value);
  return parsed.success ? (parsed.data as SettingValue<K>) : SETTING_DEFAULTS[key];
}

export async function getSetting<K extends SettingKey>(db: SettingReader, key: K): Promise<SettingValue<K>> {
  return decode(key, await db.setting.findUnique({ where: { key } }));
}

export async function getSettingDto(db: SettingReader, key: SettingKey): Promise<SettingDto> {
  const row = await db.setting.findUnique({ where: { key } });
  return {
    key,
    value: decode(key, row),
    isDefault: !row,
    updatedAt: row ? row.updatedAt.toISOString() : null,
    updatedBy: row?.updatedBy ?? null,
  };
}

/** The checklist gate the readiness of every session and the live path read. */
export async function checklistGate(db: SettingReader): Promise<ChecklistGate> {
  return { blocksLive: await getSetting(db, 'checklist.blocksLive') };
}

/** Validates the value against the key's schema (throws a ZodError → 400) and audits before/after. */
export async function putSetting(tx: SettingWriter, actor: Actor, key: SettingKey, raw: unknown): Promise<SettingDto> {
  // Wrapped so a refusal names the `value` field.
  const value = z.object({ value: SettingValues[key] }).parse({ value: raw }).value as Prisma.InputJsonValue;
  const before = await tx.setting.findUnique({ where: { key } });
  const row = await tx.setting.upsert({
    where: { key },
    create: { key, value, updatedBy: actor.id },
    update: { value, updatedBy: actor.id },
  });
  await audit(tx, actor, { action: 'setting.update', entity: 'Setting', entityId: key, before: before ? { value: before.value } : null, after: { value: row.value } });
  return { key, value: row.value, isDefault: false, updatedAt: row.updatedAt.toISOString(), updatedBy: row.updatedBy };
}
