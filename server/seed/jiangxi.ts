// Typed view of jiangxi.json (copied from the shared reference data so a clone works on its own).
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const Product = z.object({ name: z.string(), unit: z.string(), price: z.number() });
const City = z.object({
  code: z.string(),
  name: z.string(),
  short: z.string(),
  en: z.string(),
  lat: z.number(),
  lng: z.number(),
  universities: z.array(z.string()),
  products: z.array(Product),
});
const Jiangxi = z.object({ cities: z.array(City) });
export type JiangxiCity = z.infer<typeof City>;

let cached: z.infer<typeof Jiangxi> | undefined;
export function jiangxi(): z.infer<typeof Jiangxi> {
  cached ??= Jiangxi.parse(JSON.parse(readFileSync(new URL('./jiangxi.json', import.meta.url), 'utf8')));
  return cached;
}

/** Yuan (a float in the reference data) to integer fen. */
export const yuanToFen = (yuan: number) => Math.round(yuan * 100);
