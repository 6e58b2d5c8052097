import { z } from 'zod';

/** Route params and ids: positive 32-bit integers. */
export const Id = z.coerce.number().int().positive().max(2_147_483_647);
export const IdParam = z.object({ id: Id });

export const CityCode = z.string().regex(/^36\d{4}$/, 'a Jiangxi city code such as 360100');

/** Mainland mobile number; stored as typed, shown masked below province. */
export const Phone = z.string().trim().regex(/^1\d{10}$/, 'an 11-digit mobile number');

/** PostgreSQL text cannot hold NUL: refuse it at the boundary rather than fail at the write. */
export const noNul = (s: z.ZodString) => s.regex(/^[^\u0000]*$/, 'must not contain NUL characters');
export const Text = (max: number) => noNul(z.string().trim().min(1).max(max));
export const OptionalText = (max: number) => noNul(z.string().trim().max(max)).optional().nullable();

export const IsoInstant = z.iso.datetime({ offset: true });

export interface List<T> {
  items: T[];
  total?: number;
}
