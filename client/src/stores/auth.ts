// The signed-in session: token and user, kept in localStorage so a reload stays signed in, and
// checked once against GET /auth/me on boot so a revoked or expired token is dropped early.
import { computed, ref } from 'vue';
import { defineStore } from 'pinia';
import { z } from 'zod';
import { SessionUser, type LoginRequest, type Role } from '@contracts/auth';
import * as authApi from '@/api/auth';
import { isApiError } from '@/api/http';

const STORAGE_KEY = 'ganyou.session';

const StoredSession = z.object({
  token: z.string().min(1),
  expiresAt: z.string().nullable(),
  user: SessionUser,
});
type StoredSession = z.infer<typeof StoredSession>;

/** Why the last session ended, shown once on the sign-in page. */
export type SessionEndReason = 'expired' | 'signedOut';

function isExpired(expiresAt: string | null, now = Date.now()): boolean {
  if (!expiresAt) return false;
  const at = Date.parse(expiresAt);
  return Number.isFinite(at) && at <= now;
}

function readStored(): StoredSession | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const parsed = StoredSession.safeParse(JSON.parse(raw));
    // A session stored by an older client or edited by hand is dropped rather than trusted.
    if (!parsed.success || isExpired(parsed.data.expiresAt)) {
      localStorage.removeItem(STORAGE_KEY);
      return null;
    }
    return parsed.data;
  } catch {
    return null;
  }
}

function writeStored(session: StoredSession | null): void {
  try {
    if (session) localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    /* storage unavailable: the session lives for this tab only */
  }
}

export const useAuthStore = defineStore('auth', () => {
  const initial = readStored();
  const token = ref<string | null>(initial?.token ?? null);
  const expiresAt = ref<string | null>(initial?.expiresAt ?? null);
  const user = ref<SessionUser | null>(initial?.user ?? null);
  const endReason = ref<SessionEndReason | null>(null);

  const isSignedIn = computed(() => token.value !== null && user.value !== null);
  const role = computed<Role | null>(() => user.value?.role ?? null);

  let validation: Promise<void> | null = null;

  function persist(): void {
    writeStored(token.value && user.value ? { token: token.value, expiresAt: expiresAt.value, user: user.value } : null);
  }

  function clear(reason: SessionEndReason | null = null): void {
    token.value = null;
    expiresAt.value = null;
    user.value = null;
    endReason.value = reason;
    validation = null;
    persist();
  }

  async function login(credentials: LoginRequest): Promise<SessionUser> {
    const session = await authApi.login(credentials);
    token.value = session.token;
    expiresAt.value = session.expiresAt;
    user.value = session.user;
    endReason.value = null;
    // This session was just issued by the server: no need to re-check it.
    validation = Promise.resolve();
    persist();
    return session.user;
  }

  /**
   * Confirms the stored token with the server, once per page load. A 401 ends the session; an
   * unreachable server keeps it (the pages then show their own connection errors and retry).
   */
  function ensureValidated(): Promise<void> {
    if (!token.value) return Promise.resolve();
    validation ??= (async () => {
      if (isExpired(expiresAt.value)) {
        clear('expired');
        return;
      }
      const checkedToken = token.value;
      try {
        const fresh = await authApi.fetchMe();
        if (token.value !== checkedToken) return; // signed out or in again meanwhile
        user.value = fresh;
        persist();
      } catch (error) {
        if (token.value !== checkedToken) return;
        if (isApiError(error) && error.code === 'UNAUTHENTICATED') clear('expired');
        else validation = null; // try again on the next navigation
      }
    })();
    return validation;
  }

  async function logout(): Promise<void> {
    if (token.value) {
      try {
        await authApi.logout();
      } catch {
        /* the server may be down or the token already gone: signing out locally is what matters */
      }
    }
    clear('signedOut');
  }

  function consumeEndReason(): SessionEndReason | null {
    const reason = endReason.value;
    endReason.value = null;
    return reason;
  }

  return { token, expiresAt, user, role, isSignedIn, endReason, login, logout, clear, ensureValidated, consumeEndReason };
});
