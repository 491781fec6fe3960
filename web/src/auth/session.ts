// Who is signed in: the token (token-store) plus the caller's own record (GET /users/me),
// cached by TanStack Query under ['me'].
import { type QueryClient, queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { UserPublic } from '../api/types';
import { getAccessToken, setAccessToken } from './token-store';

export const meQuery = queryOptions({
  queryKey: ['me'],
  queryFn: () => unwrap(api.GET('/api/v1/users/me')),
  staleTime: 60_000,
});

export function useMe() {
  return useQuery({ ...meQuery, enabled: getAccessToken() !== null });
}

export function isSignedIn(): boolean {
  return getAccessToken() !== null;
}

export async function signIn(queryClient: QueryClient, email: string, password: string): Promise<UserPublic> {
  const token = await unwrap(
    api.POST('/api/v1/login/access-token', {
      body: { username: email.trim(), password },
      bodySerializer: (body) => new URLSearchParams(body as Record<string, string>),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    }),
  );
  setAccessToken(token.access_token);
  queryClient.clear(); // nothing cached for a previous user may leak into this session
  return queryClient.fetchQuery(meQuery);
}

export function signOut(queryClient: QueryClient): void {
  setAccessToken(null);
  queryClient.clear();
}

export function displayName(user: Pick<UserPublic, 'full_name' | 'email'>): string {
  return user.full_name?.trim() || user.email;
}
