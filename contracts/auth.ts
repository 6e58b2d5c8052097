import { z } from 'zod';

export const Role = z.enum(['province', 'city', 'team']);
export type Role = z.infer<typeof Role>;

export const LoginRequest = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(256),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

/** The signed-in user as API.md shows it. */
export const SessionUser = z.object({
  id: z.number().int(),
  username: z.string(),
  displayName: z.string().nullable().optional(),
  role: Role,
  cityCode: z.string().optional(),
  teamId: z.number().int().optional(),
});
export type SessionUser = z.infer<typeof SessionUser>;

export const LoginResponse = z.object({
  token: z.string(),
  expiresAt: z.string(),
  user: SessionUser,
});
export type LoginResponse = z.infer<typeof LoginResponse>;
