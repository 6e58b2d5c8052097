// `npm run cli -- <command>`: what an operator runs (API.md "Commands an operator runs").
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config';
import { createLogger } from '../logger';
import { openMigratedDatabase } from '../boot';
import { systemClock } from '../clock';
import { createCollectorKey, createUser } from '../auth/service';
import { seedDemo } from '../seed/demo';
import { Role } from '../../contracts/auth';
import type { Database } from '../db/index';
import { audit } from '../services/audit';
import { runVerify } from './verify';

const USAGE = `usage: npm run cli -- <command>
  migrate                                   apply pending migrations
  seed demo                                 seed the demo contest (idempotent)
  user add --role province|city|team --username U --password P [--city CODE] [--team ID] [--name N]
  collector-key add (--city CODE | --team ID) [--label L]
  collector-key list                        keys with their scope, prefix and whether revoked
  collector-key revoke ID                   revokes a key (hubs stop accepting it within 10 s)
                                            prints the new key once, alone on the last line
  verify [--stage ID]                       recomputes every leaderboard from the stored events and prints
                                            any difference from the live ones; exits 1 on a difference`;

class UsageError extends Error {}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      city: { type: 'string' },
      team: { type: 'string' },
      label: { type: 'string' },
      name: { type: 'string' },
      stage: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const cmd = positionals.join(' ');
  if (values.help || !cmd) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const known = ['migrate', 'seed demo', 'user add', 'collector-key add', 'collector-key list', 'verify'];
  if (/^collector-key revoke \d{1,9}$/.test(cmd)) {
    const config = loadConfig();
    const db = await openMigratedDatabase(config, createLogger({ ...config, LOG_LEVEL: 'warn' }));
    try {
      return await revokeKey(db, Number(cmd.split(' ')[2]));
    } finally {
      await db.close();
    }
  }
  if (!known.includes(cmd)) throw new UsageError(`unknown command "${cmd}"`);

  const config = loadConfig();
  // Operators want the command's own output, not the hub's info logs.
  const log = createLogger({ ...config, LOG_LEVEL: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL });
  const db = await openMigratedDatabase(config, log);
  try {
    return await dispatch(cmd, values, db);
  } finally {
    await db.close();
  }
}

type Values = Record<string, string | boolean | undefined>;

async function dispatch(cmd: string, v: Values, db: Database): Promise<number> {
  const str = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const teamId = () => {
    const t = str('team');
    if (t === undefined) return undefined;
    if (!/^\d+$/.test(t)) throw new UsageError('--team takes a numeric team id');
    return Number(t);
  };
  switch (cmd) {
    case 'migrate':
      console.log('migrations are up to date');
      return 0;
    case 'seed demo': {
      const { created, signIns } = await seedDemo(db, systemClock);
      const made = Object.entries(created).filter(([, n]) => n > 0);
      console.log(made.length ? `seeded: ${made.map(([k, n]) => `${n} ${k}`).join(', ')}` : 'demo already seeded; nothing changed');
      console.log(`sign in (password ${signIns.password}): province → ${signIns.province}, city → ${signIns.city}, team → ${signIns.team}`);
      return 0;
    }
    case 'user add': {
      const role = Role.safeParse(str('role'));
      if (!role.success) throw new UsageError('--role must be province, city or team');
      const username = str('username');
      const password = str('password');
      if (!username || !password) throw new UsageError('--username and --password are required');
      if (password.length < 8) throw new UsageError('--password needs at least 8 characters');
      const tid = teamId();
      const city = str('city');
      const name = str('name');
      const u = await createUser(db, {
        username,
        password,
        role: role.data,
        ...(city ? { cityCode: city } : {}),
        ...(tid ? { teamId: tid } : {}),
        ...(name ? { displayName: name } : {}),
      });
      console.log(`created ${u.role} user ${u.username} (id ${u.id})`);
      return 0;
    }
    case 'collector-key list': {
      const rows = await db.prisma.collectorKey.findMany({ orderBy: { id: 'asc' } });
      for (const k of rows)
        console.log(`${k.id}\t${k.prefix}…\t${k.cityCode ? `city ${k.cityCode}` : `team ${k.teamId}`}\t${k.label ?? ''}\t${k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active'}`);
      if (!rows.length) console.log('no collector keys');
      return 0;
    }
    case 'collector-key add': {
      const city = str('city');
      const tid = teamId();
      const label = str('label');
      if (!city === !tid) throw new UsageError('give exactly one of --city CODE or --team ID');
      const { id, key } = await createCollectorKey(db, { ...(city ? { cityCode: city } : {}), ...(tid ? { teamId: tid } : {}), ...(label ? { label } : {}) });
      console.log(`collector key ${id} for ${city ? `city ${city}` : `team ${tid}`} (shown once; only its hash is kept):`);
      console.log(key);
      return 0;
    }
    case 'verify': {
      const stage = str('stage');
      if (stage !== undefined && !/^\d{1,9}$/.test(stage)) throw new UsageError('--stage takes a numeric stage id');
      return runVerify(db, loadConfig().REDIS_URL, stage === undefined ? undefined : Number(stage));
    }
  }
  return 2;
}

async function revokeKey(db: Database, id: number): Promise<number> {
  const r = await db.prisma.collectorKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
  if (r.count) {
    await audit(db.prisma, null, { action: 'collector_key.revoke', entity: 'CollectorKey', entityId: id });
    console.log(`collector key ${id} revoked`);
    return 0;
  }
  const exists = await db.prisma.collectorKey.findUnique({ where: { id } });
  console.error(exists ? `collector key ${id} was already revoked` : `no collector key ${id}`);
  return 1;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError || err instanceof ConfigError) {
      console.error(err.message);
      if (err instanceof UsageError) console.error(USAGE);
      process.exit(2);
    }
    const e = err as { code?: string; message?: string };
    if (e.code === 'P2002') console.error('error: that record already exists');
    else if (e.code === 'P2003') console.error('error: a referenced city or team does not exist');
    else console.error(`error: ${e.message ?? String(err)}`);
    process.exit(1);
  },
);
