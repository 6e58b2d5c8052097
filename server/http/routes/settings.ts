import { z } from 'zod';
import { SettingValues, type SettingKey } from '../../../contracts/schedule';
import { isProvince } from '../../domain/permissions';
import { getSettingDto, isSettingKey, putSetting } from '../../services/settings';
import { forbidden, notFound } from '../errors';
import { ApiRouter, actorOf } from '../router';
import type { AppContext } from '../context';

const KeyParam = z.object({ key: z.string().max(80) });
const PutBody = z.object({ value: z.unknown() });

/** Province settings: read and written by the province only; others see their effect (e.g. readiness.blocking). */
export function settingsRoutes(ctx: AppContext): ApiRouter {
  const r = new ApiRouter('/api/v1/settings');
  const { prisma } = ctx.db;

  const keyOf = (params: unknown): SettingKey => {
    const { key } = KeyParam.parse(params);
    if (!isSettingKey(key)) throw notFound('Setting');
    return key;
  };

  r.get('/', 'signed-in', async (req) => {
    if (!isProvince(actorOf(req))) throw forbidden('Settings are the province’s');
    const keys = Object.keys(SettingValues).filter(isSettingKey);
    return { items: await Promise.all(keys.map((k) => getSettingDto(prisma, k))) };
  });

  r.get('/:key', 'signed-in', async (req) => {
    if (!isProvince(actorOf(req))) throw forbidden('Settings are the province’s');
    return getSettingDto(prisma, keyOf(req.params));
  });

  r.put('/:key', 'signed-in', async (req) => {
    const a = actorOf(req);
    if (!isProvince(a)) throw forbidden('Settings are the province’s');
    const key = keyOf(req.params);
    const { value } = PutBody.parse(req.body);
    return prisma.$transaction((tx) => putSetting(tx, a, key, value));
  });

  return r;
}
