// Dashboard subscriptions (wall, city, session) and socket ingest, each authorised for the caller's scope.
import { CitySubscribe, SessionSubscribe } from '../../contracts/live';
import type { AppContext } from '../http/context';
import type { Live } from '../live/index';
import { canViewCity, canViewTeam } from '../domain/permissions';
import { forbidden, notFound, unauthenticated } from '../http/errors';
import { handle, type IoSocket } from './socket';
import { rooms } from './rooms';

export function registerLiveHandlers(ctx: AppContext, live: Live, socket: IoSocket): void {
  const actor = () => {
    if (!socket.data.actor) throw unauthenticated('Dashboards need a user sign-in');
    return socket.data.actor;
  };

  socket.on('wall:subscribe', handle(ctx, async () => {
    if (actor().role !== 'province') throw forbidden('The wall is for the province');
    // Join before reading the snapshot, so no change falls between the two; updates carry absolute numbers.
    await socket.join(rooms.wall);
    socket.emit('wall:snapshot', await live.views.wall());
    return null;
  }));
  socket.on('wall:unsubscribe', handle(ctx, async () => {
    await socket.leave(rooms.wall);
    return null;
  }));

  socket.on('city:subscribe', handle(ctx, async (payload) => {
    const { cityCode } = CitySubscribe.parse(payload);
    if (!canViewCity(actor(), cityCode)) throw forbidden('That city is outside your scope');
    await socket.join(rooms.cityLive(cityCode));
    socket.emit('city:snapshot', await live.views.city(cityCode));
    return null;
  }));
  socket.on('city:unsubscribe', handle(ctx, async (payload) => {
    const { cityCode } = CitySubscribe.parse(payload);
    await socket.leave(rooms.cityLive(cityCode));
    return null;
  }));

  socket.on('session:subscribe', handle(ctx, async (payload) => {
    const { sessionId } = SessionSubscribe.parse(payload);
    const info = (await live.directory.resolve([sessionId])).get(sessionId);
    if (!info) throw notFound('Session');
    if (!canViewTeam(actor(), { id: info.teamId, cityCode: info.cityCode })) throw forbidden('That session is outside your scope');
    await socket.join(rooms.session(sessionId));
    socket.emit('session:snapshot', await live.views.session(info));
    return null;
  }));
  socket.on('session:unsubscribe', handle(ctx, async (payload) => {
    const { sessionId } = SessionSubscribe.parse(payload);
    await socket.leave(rooms.session(sessionId));
    return null;
  }));

  socket.on('ingest:batch', handle(ctx, async (payload) => {
    const scope = socket.data.collector;
    if (!scope) throw unauthenticated('Ingest needs a collector key');
    return live.ingest.ingest(payload, scope);
  }));
}
