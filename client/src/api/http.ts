// The one fetch wrapper: adds the bearer token, turns every failure into a typed ApiError, and
// hands a 401 on a signed-in request to whoever registered for it (the auth store + router).
import { ErrorEnvelope, type ErrorCode, type ErrorIssue } from '@contracts/errors';

/** Server codes plus the two failures that never reach the server's error envelope. */
export type ApiErrorCode = ErrorCode | 'NETWORK' | 'BAD_RESPONSE';

/** An issue as sent: the field path, the reason, and a stable code when the route gives one (schedule problems). */
export type ApiIssue = ErrorIssue & { code?: string };

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    /** HTTP status; 0 when the request never got an answer. */
    readonly status: number,
    readonly issues: ApiIssue[] = [],
  ) {
    super(message);
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  /** Send no Authorization header (sign-in). */
  anonymous?: boolean;
  /** Report a 401 to the caller only, without ending the session (used by the boot-time check). */
  ignoreUnauthorized?: boolean;
}

interface HttpHooks {
  getToken: () => string | null;
  /** Called once per 401 whose token is still the current one. */
  onUnauthorized: (token: string) => void;
}

let hooks: HttpHooks = { getToken: () => null, onUnauthorized: () => {} };

/** Wired in main.ts so this module depends on neither the store nor the router. */
export function configureHttp(next: HttpHooks): void {
  hooks = next;
}

const API_BASE = '/api/v1';

export function buildUrl(path: string, query?: Query): string {
  const url = `${API_BASE}${path.startsWith('/') ? path : `/${path}`}`;
  if (!query) return url;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${url}?${qs}` : url;
}

// When a proxy or a crashed hub answers without our envelope, the status still says what happened.
function codeFromStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'VALIDATION_FAILED';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'CONFLICT';
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    case 423:
      return 'LOCKED';
    case 429:
      return 'RATE_LIMITED';
    case 502:
    case 503:
    case 504:
      return 'UNAVAILABLE';
    default:
      return 'INTERNAL';
  }
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

// The envelope's schema keeps path and message only; a route's own issue code is read back beside them.
function withCodes(issues: ErrorIssue[], body: unknown): ApiIssue[] {
  const raw: unknown = typeof body === 'object' && body !== null ? Reflect.get(Reflect.get(body, 'error') ?? {}, 'issues') : undefined;
  if (!Array.isArray(raw)) return issues;
  return issues.map((issue, i) => {
    const code: unknown = typeof raw[i] === 'object' && raw[i] !== null ? Reflect.get(raw[i] as object, 'code') : undefined;
    return typeof code === 'string' ? { ...issue, code } : issue;
  });
}

/** The error an answer's status and body describe, from the envelope when the hub sent one. */
export function apiErrorFrom(status: number, body: unknown, statusText = ''): ApiError {
  const parsed = ErrorEnvelope.safeParse(body);
  if (parsed.success) {
    const { code, message, issues } = parsed.data.error;
    return new ApiError(code, message, status, withCodes(issues ?? [], body));
  }
  return new ApiError(codeFromStatus(status), statusText || `HTTP ${status}`, status);
}

async function toApiError(response: Response): Promise<ApiError> {
  return apiErrorFrom(response.status, await readJson(response), response.statusText);
}

/** The bearer token requests go out with, for transfers that cannot use `request` (uploads, downloads). */
export function currentToken(): string | null {
  return hooks.getToken();
}

/** Ends the session on a 401 for the token still held, as `request` does. */
export function reportUnauthorized(status: number, token: string | null): void {
  if (status === 401 && token && hooks.getToken() === token) hooks.onUnauthorized(token);
}

/**
 * Performs one API call and returns its JSON body. The body's type is the caller's claim about the
 * contract (the registry DTOs are interfaces, not schemas); boundaries that guard state, such as the
 * session, parse with the contract's zod schema on top.
 */
export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = options.anonymous ? null : hooks.getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }

  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), {
      method,
      headers,
      body,
      signal: options.signal,
      credentials: 'same-origin',
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError('NETWORK', cause instanceof Error ? cause.message : 'network error', 0);
  }

  if (!response.ok) {
    const error = await toApiError(response);
    // Only a 401 for the token we still hold ends the session: a late answer to a request made with
    // an older token must not sign out someone who has just signed in again.
    if (response.status === 401 && token && !options.ignoreUnauthorized && hooks.getToken() === token) {
      hooks.onUnauthorized(token);
    }
    throw error;
  }

  if (response.status === 204) return undefined as T;
  const data = await readJson(response);
  if (data === undefined) throw new ApiError('BAD_RESPONSE', 'empty or non-JSON response', response.status);
  return data as T;
}

export const http = {
  get: <T>(path: string, options?: Omit<RequestOptions, 'body'>) => request<T>('GET', path, options),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('POST', path, { ...options, body }),
  patch: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('PATCH', path, { ...options, body }),
  put: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('PUT', path, { ...options, body }),
  delete: <T>(path: string, options?: RequestOptions) => request<T>('DELETE', path, options),
};
