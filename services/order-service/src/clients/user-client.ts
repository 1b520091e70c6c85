import { createServiceClient } from '@sightline/service';
import type { UserDirectory } from '../domain/ports.ts';

/** user-service, seen from order-service. */
export class UserClient implements UserDirectory {
  private readonly http;
  constructor(baseURL: string, timeoutMs: number) {
    this.http = createServiceClient({ dependency: 'user-service', baseURL, timeoutMs });
  }

  async exists(userId: string): Promise<boolean> {
    const response = await this.http.get(`/api/users/${encodeURIComponent(userId)}`);
    if (response.status === 200) return true;
    if (response.status === 404) return false;
    throw new Error(`user-service answered ${response.status} to a user lookup`);
  }
}
