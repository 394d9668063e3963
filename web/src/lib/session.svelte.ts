// The signed-in user: loaded once at start, cleared when the server answers 401; pages ask `session.can(...)`.
import type { Me, Role } from '../../../server/api-types.ts';
import { api, ApiError, setUnauthenticatedHandler } from './api.ts';

class Session {
  user = $state<Me | null>(null);
  /** 'loading' until the first /api/auth/me answers. */
  status = $state<'loading' | 'signed-out' | 'signed-in'>('loading');
  /** Why the last check failed when it was not a plain "not signed in" (the server unreachable, say). */
  error = $state<ApiError | null>(null);

  constructor() {
    setUnauthenticatedHandler(() => {
      this.user = null;
      this.status = 'signed-out';
    });
  }

  async load(): Promise<void> {
    try {
      this.user = (await api.me()).user;
      this.status = 'signed-in';
      this.error = null;
    } catch (err) {
      this.user = null;
      this.status = 'signed-out';
      this.error = err instanceof ApiError && err.status !== 401 ? err : null;
    }
  }

  async signIn(email: string, password: string): Promise<void> {
    this.user = (await api.login(email, password)).user;
    this.status = 'signed-in';
    this.error = null;
  }

  async signOut(everywhere = false): Promise<void> {
    try {
      await api.logout(everywhere);
    } finally {
      this.user = null;
      this.status = 'signed-out';
    }
  }

  /** Whether the signed-in user has one of these roles (the server decides anyway; this only hides what would be refused). */
  can(...roles: Role[]): boolean {
    return this.user !== null && roles.includes(this.user.role);
  }
}

export const session = new Session();
