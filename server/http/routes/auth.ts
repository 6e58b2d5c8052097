import { LoginRequest } from '../../../contracts/auth';
import type { LoginResponse } from '../../../contracts/auth';
import { toSessionUser } from '../../auth/service';
import { AppError } from '../errors';
import { ApiRouter, actorOf } from '../router';
import type { AppContext } from '../context';

export function authRoutes(ctx: AppContext): ApiRouter {
  const r = new ApiRouter('/api/v1/auth');

  r.post('/login', 'public', async (req): Promise<LoginResponse> => {
    const body = LoginRequest.parse(req.body);
    // Limit per username and per address, so neither guessing one account nor spraying many is cheap.
    const keys = [`u:${body.username.toLowerCase()}`, `ip:${req.ip ?? '?'}`];
    const wait = Math.max(...keys.map((k) => ctx.loginLimiter.blocked(k)));
    if (wait > 0) throw new AppError('RATE_LIMITED', 'Too many sign-in attempts; try again later', undefined, wait);
    const result = await ctx.auth.login(body.username, body.password);
    if (!result) {
      for (const k of keys) ctx.loginLimiter.hit(k);
      throw new AppError('UNAUTHENTICATED', 'Wrong username or password');
    }
    ctx.loginLimiter.reset(keys[0]!);
    ctx.log.info({ user: result.user.id, role: result.user.role }, 'signed in');
    return { token: result.token, expiresAt: result.expiresAt.toISOString(), user: toSessionUser(result.user) };
  });

  r.post('/logout', 'signed-in', async (req) => {
    if (req.bearer) await ctx.auth.revoke(req.bearer);
    return undefined;
  });

  r.get('/me', 'signed-in', async (req) => {
    const actor = actorOf(req);
    const user = await ctx.db.prisma.user.findUniqueOrThrow({ where: { id: actor.id } });
    return { user: toSessionUser(user) };
  });

  return r;
}
