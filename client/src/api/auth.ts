// Sign-in endpoints. Session-shaping answers are parsed with the shared zod contracts: they are
// stored and decide which screens a user gets, so a malformed one must fail here, not later.
import { z } from 'zod';
import { LoginResponse, SessionUser, type LoginRequest } from '@contracts/auth';
import { ApiError, http } from './http';

const MeResponse = z.object({ user: SessionUser });

function parseOrThrow<T>(schema: z.ZodType<T>, data: unknown): T {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new ApiError('BAD_RESPONSE', 'unexpected response shape', 200);
  return parsed.data;
}

export async function login(credentials: LoginRequest): Promise<LoginResponse> {
  const data = await http.post<unknown>('/auth/login', credentials, { anonymous: true });
  return parseOrThrow(LoginResponse, data);
}

export async function fetchMe(): Promise<SessionUser> {
  const data = await http.get<unknown>('/auth/me', { ignoreUnauthorized: true });
  return parseOrThrow(MeResponse, data).user;
}

export async function logout(): Promise<void> {
  await http.post<unknown>('/auth/logout', undefined, { ignoreUnauthorized: true });
}
