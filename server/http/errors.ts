// One error type for the whole hub, mapped to the API.md envelope in one handler.
import type { ErrorRequestHandler } from 'express';
import { ZodError } from 'zod';
import type { ErrorBody, ErrorCode, ErrorIssue } from '../../contracts/errors';
import type { Logger } from '../logger';

const STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  LOCKED: 423,
  NOT_LIVE: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: ErrorIssue[],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
  get status(): number {
    return STATUS[this.code];
  }
  toBody(): ErrorBody {
    return this.issues ? { code: this.code, message: this.message, issues: this.issues } : { code: this.code, message: this.message };
  }
}

export const unauthenticated = (msg = 'Sign in first') => new AppError('UNAUTHENTICATED', msg);
export const forbidden = (msg = 'Not allowed for your role or scope') => new AppError('FORBIDDEN', msg);
export const notFound = (what = 'Resource') => new AppError('NOT_FOUND', `${what} not found`);
export const conflict = (msg: string) => new AppError('CONFLICT', msg);
export const invalid = (msg: string, issues?: ErrorIssue[]) => new AppError('VALIDATION_FAILED', msg, issues);

export function zodIssues(err: ZodError): ErrorIssue[] {
  return err.issues.slice(0, 50).map((i) => ({
    path: i.path.map(String).join('.') || '(root)',
    message: i.message,
  }));
}

/** Map anything thrown to a client-safe AppError; unknown errors become INTERNAL. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) return invalid('Request validation failed', zodIssues(err));
  if (typeof err === 'object' && err !== null) {
    const e = err as { code?: unknown; type?: unknown; status?: unknown; meta?: { target?: unknown } };
    // Prisma known request errors, mapped by code, never by message text.
    if (e.code === 'P2002') return conflict('A record with the same unique value already exists');
    if (e.code === 'P2025') return notFound();
    if (e.code === 'P2003') return invalid('A referenced record does not exist');
    // Text PostgreSQL cannot store (NUL bytes): the client's input, not our failure.
    if (e.code === 'P2039' || e.code === '22021') return invalid('Text may not contain NUL characters');
    // body-parser errors
    if (e.type === 'entity.too.large') return new AppError('PAYLOAD_TOO_LARGE', 'Request body too large');
    if (e.type === 'entity.parse.failed') return invalid('Malformed JSON body');
    if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported')
      return invalid('Unsupported body encoding');
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500)
      return invalid('Bad request');
  }
  return new AppError('INTERNAL', 'Internal error; it has been logged');
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const appErr = toAppError(err);
    if (appErr.code === 'INTERNAL') log.error({ err, reqId: req.id, path: req.path }, 'request failed');
    else log.debug({ code: appErr.code, reqId: req.id, path: req.path }, 'request refused');
    if (appErr.retryAfterSeconds) res.setHeader('Retry-After', String(appErr.retryAfterSeconds));
    if (res.headersSent) return;
    res.status(appErr.status).json({ error: appErr.toBody() });
  };
}
