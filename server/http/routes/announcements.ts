// Announcements (通知): the province to every city or one, a city to its own teams. Teams see those addressed
// to them and mark them read; the sender sees who has read. Posting reaches the teams' sockets at once.
import { IdParam } from '../../../contracts/common';
import { AnnouncementCreate, type AnnouncementDto, type AnnouncementReadDto } from '../../../contracts/response';
import type { Actor } from '../../domain/permissions';
import type { IoServer } from '../../realtime/socket';
import { rooms } from '../../realtime/rooms';
import { audit } from '../../services/audit';
import { forbidden, notFound } from '../errors';
import { ApiRouter, actorOf } from '../router';
import type { AppContext } from '../context';

type Row = { id: number; title: string; body: string; kind: AnnouncementDto['kind']; cityCode: string | null; senderRole: string; senderCity: string | null; sentBy: number; createdAt: Date };

const dto = (x: Row, readAt?: Date | null): AnnouncementDto => ({
  id: x.id,
  title: x.title,
  body: x.body,
  kind: x.kind,
  cityCode: x.cityCode,
  senderRole: x.senderRole === 'province' ? 'province' : 'city',
  createdAt: x.createdAt.toISOString(),
  ...(readAt !== undefined ? { readAt: readAt?.toISOString() ?? null } : {}),
});

/** Addressed to the actor's city (a team's or staff's) or to every city; the province sees all. */
function visibleTo(a: Actor, city: string | null, x: Pick<Row, 'cityCode'>): boolean {
  return a.role === 'province' || x.cityCode === null || x.cityCode === city;
}

/** Only the sender's side sees who read: the province for its own, a city for what it sent. */
const isSender = (a: Actor, x: Pick<Row, 'senderRole' | 'senderCity'>) =>
  (a.role === 'province' && x.senderRole === 'province') || (a.role === 'city' && x.senderRole === 'city' && x.senderCity === a.cityCode);

export function announcementRoutes(ctx: AppContext, io: IoServer): ApiRouter {
  const r = new ApiRouter('/api/v1/announcements');
  const { prisma } = ctx.db;

  // A team user's city is its team's (the user row need not carry it).
  const cityOf = async (a: Actor): Promise<string | null> => {
    if (a.role !== 'team') return a.cityCode ?? null;
    if (a.teamId === undefined) return null;
    return (await prisma.team.findUnique({ where: { id: a.teamId }, select: { cityCode: true } }))?.cityCode ?? null;
  };

  r.post('/', 'signed-in', async (req, res) => {
    const a = actorOf(req);
    const body = AnnouncementCreate.parse(req.body);
    if (a.role === 'team') throw forbidden('Announcements are sent by the province or a city');
    if (a.role === 'city' && body.cityCode && body.cityCode !== a.cityCode) throw forbidden('A city announces to its own teams only');
    const cityCode = a.role === 'city' ? (a.cityCode ?? null) : (body.cityCode ?? null);
    const row = await prisma.$transaction(async (tx) => {
      const x = await tx.announcement.create({
        data: { title: body.title, body: body.body, kind: body.kind, cityCode, senderRole: a.role, senderCity: a.role === 'city' ? (a.cityCode ?? null) : null, sentBy: a.id, createdAt: new Date(ctx.clock.now()) },
      });
      await audit(tx, a, { action: 'announcement.post', entity: 'Announcement', entityId: x.id, cityCode, after: x });
      return x;
    });
    const out = dto(row);
    // Every team of the addressed city (or of all cities) through its own room, plus the staff rooms in scope.
    const teams = await prisma.team.findMany({ where: cityCode ? { cityCode } : {}, select: { id: true } });
    const staff = cityCode ? [rooms.province, rooms.cityStaff(cityCode)] : [rooms.province, ...(await prisma.city.findMany({ select: { code: true } })).map((c) => rooms.cityStaff(c.code))];
    io.to([...staff, ...teams.map((t) => rooms.team(t.id))]).emit('announcement:posted', out);
    res.status(201);
    return out;
  });

  r.get('/', 'signed-in', async (req) => {
    const a = actorOf(req);
    const rows = await prisma.announcement.findMany({
      where: a.role === 'province' ? {} : { OR: [{ cityCode: null }, { cityCode: (await cityOf(a)) ?? '__none__' }] },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: 500,
    });
    if (a.role !== 'team') return { items: rows.map((x) => dto(x)), total: rows.length };
    const reads = await prisma.announcementRead.findMany({ where: { userId: a.id, announcementId: { in: rows.map((x) => x.id) } } });
    const readAt = new Map(reads.map((r) => [r.announcementId, r.readAt]));
    return { items: rows.map((x) => dto(x, readAt.get(x.id) ?? null)), total: rows.length };
  });

  r.get('/:id', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const x = await prisma.announcement.findUnique({ where: { id } });
    if (!x) throw notFound('Announcement');
    if (!visibleTo(a, await cityOf(a), x)) throw forbidden();
    if (a.role !== 'team') return dto(x);
    const read = await prisma.announcementRead.findUnique({ where: { announcementId_userId: { announcementId: id, userId: a.id } } });
    return dto(x, read?.readAt ?? null);
  });

  /** Idempotent: the first read is kept. */
  r.post('/:id/read', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    if (a.role !== 'team' || a.teamId === undefined) throw forbidden('Teams mark announcements read');
    const x = await prisma.announcement.findUnique({ where: { id } });
    if (!x) throw notFound('Announcement');
    if (!visibleTo(a, await cityOf(a), x)) throw forbidden();
    const read = await prisma.announcementRead.upsert({
      where: { announcementId_userId: { announcementId: id, userId: a.id } },
      create: { announcementId: id, userId: a.id, teamId: a.teamId, readAt: new Date(ctx.clock.now()) },
      update: {},
    });
    return dto(x, read.readAt);
  });

  r.get('/:id/reads', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const x = await prisma.announcement.findUnique({ where: { id } });
    if (!x) throw notFound('Announcement');
    if (!isSender(a, x)) throw forbidden('Only the sender sees who has read it');
    const reads = await prisma.announcementRead.findMany({ where: { announcementId: id }, orderBy: { readAt: 'asc' } });
    const [users, teams] = await Promise.all([
      prisma.user.findMany({ where: { id: { in: reads.map((r) => r.userId) } }, select: { id: true, username: true } }),
      prisma.team.findMany({ where: { id: { in: reads.map((r) => r.teamId) } }, select: { id: true, name: true } }),
    ]);
    const uname = new Map(users.map((u) => [u.id, u.username]));
    const tname = new Map(teams.map((t) => [t.id, t.name]));
    const items: AnnouncementReadDto[] = reads.map((r) => ({
      userId: r.userId, username: uname.get(r.userId) ?? `#${r.userId}`, teamId: r.teamId, teamName: tname.get(r.teamId) ?? null, readAt: r.readAt.toISOString(),
    }));
    return { items, total: items.length };
  });

  return r;
}
