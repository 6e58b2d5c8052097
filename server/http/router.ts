// A thin layer over express.Router that records every route in one table, so the permission
// matrix test can be generated from it and a new route without a row fails that test.
import { Router, type Request, type Response } from 'express';
import { unauthenticated } from './errors';
import type { Actor } from '../domain/permissions';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** Who may call the route at all; finer, per-resource checks happen inside the handler. */
export type Access = 'public' | 'signed-in' | 'collector';

export interface RouteInfo {
  method: Method;
  path: string;
  access: Access;
}

type Handler = (req: Request, res: Response) => Promise<unknown> | unknown;

export class ApiRouter {
  readonly router = Router();
  readonly routes: RouteInfo[] = [];

  constructor(readonly prefix = '') {}

  private add(method: Method, path: string, access: Access, handler: Handler): this {
    this.routes.push({ method, path: this.prefix + path, access });
    this.router[method](path, async (req, res) => {
      if (access === 'signed-in' && !req.actor)
        throw unauthenticated(req.bearer ? 'Session expired or revoked; sign in again' : 'Sign in first');
      const out = await handler(req, res);
      if (!res.headersSent) {
        if (out === undefined) res.status(204).end();
        else res.json(out);
      }
    });
    return this;
  }

  get(path: string, access: Access, h: Handler) {
    return this.add('get', path, access, h);
  }
  post(path: string, access: Access, h: Handler) {
    return this.add('post', path, access, h);
  }
  put(path: string, access: Access, h: Handler) {
    return this.add('put', path, access, h);
  }
  patch(path: string, access: Access, h: Handler) {
    return this.add('patch', path, access, h);
  }
  delete(path: string, access: Access, h: Handler) {
    return this.add('delete', path, access, h);
  }
}

/** The signed-in actor, or 401. */
export function actorOf(req: Request): Actor {
  if (!req.actor) throw unauthenticated();
  return req.actor;
}
