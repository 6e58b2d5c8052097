import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../server/db/index.ts';
import { dbKinds, freshDatabase } from '../helpers/db.ts';

describe.each(dbKinds)('openDatabase() on %s', (kind) => {
  let db: Database;
  const tz = process.env['TZ'];
  beforeAll(() => {
    // Where the contest runs; Node applies a changed TZ at once.
    process.env['TZ'] = 'Asia/Shanghai';
  });
  afterAll(() => {
    if (tz === undefined) delete process.env['TZ'];
    else process.env['TZ'] = tz;
  });
  afterEach(async () => {
    await db.close();
  });

  test('query() gives int8 as a string and timestamp columns as UTC instants', async () => {
    db = await freshDatabase(kind, { migrate: false });
    const rows = await db.query(
      `SELECT 9007199254740993::int8 AS big, '{1,2}'::int8[] AS bigs, 7::int4 AS small,
              '2026-10-08 12:00:00.5'::timestamp AS at, '{"2026-10-08 12:00:00",NULL}'::timestamp[] AS ats,
              $1::text AS param`,
      ['x'],
    );
    expect(rows).toEqual([
      {
        big: '9007199254740993',
        bigs: ['1', '2'],
        small: 7,
        at: new Date('2026-10-08T12:00:00.500Z'),
        ats: [new Date('2026-10-08T12:00:00Z'), null],
        param: 'x',
      },
    ]);
  });

  test('exec() runs several statements and Prisma sees what they wrote', async () => {
    db = await freshDatabase(kind);
    await db.exec(`
      INSERT INTO "Setting" (key, value, "updatedAt") VALUES ('a', '1', '2026-10-08 12:00:00');
      INSERT INTO "Setting" (key, value, "updatedAt") VALUES ('b', '2', now());
    `);
    const a = await db.prisma.setting.findUnique({ where: { key: 'a' } });
    expect(a?.updatedAt).toEqual(new Date('2026-10-08T12:00:00Z'));
    expect(await db.prisma.setting.count()).toBe(2);
  });

  test('close() can be called twice', async () => {
    db = await freshDatabase(kind, { migrate: false });
    expect(db.kind).toBe(kind);
    expect(db.describe).toMatch(kind === 'pglite' ? /^pglite:memory$/ : /^postgres:127\.0\.0\.1:5432\/test_/);
    await db.close();
  });
});
