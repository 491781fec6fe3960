// Where the server sends the browser back after a sign-in (or a link) with another provider.
// Success: the refresh cookie is set; trade it for an access token and go on. Linked: back to
// Settings. Otherwise: say what happened, in words, with the way forward.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useEffect, useRef, useState } from 'react';
import { api, unwrap } from '../api/client';
import { errorMessage } from '../api/errors';
import { adoptProviderSession, displayName } from '../auth/session';
import { LoadingState } from '../components/ui';
import { providerErrorSentence } from '../lib/sign-in-providers';
import { toast } from '../lib/toast';

export interface CallbackSearch {
  error?: string;
  provider?: string;
  linked?: string;
  redirectTo: string;
}

/** The provider as the login page names it ("Google"), or its configured name. */
function useProviderName(name: string | undefined): string {
  const providers = useQuery({
    queryKey: ['login-providers'],
    queryFn: () => unwrap(api.GET('/api/v1/login/providers')),
    staleTime: 5 * 60_000,
    enabled: Boolean(name),
  });
  return providers.data?.find((p) => p.name === name)?.display_name ?? name ?? 'The provider';
}

export function LoginCallbackPage({ search }: { search: CallbackSearch }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const providerName = useProviderName(search.error ? search.provider : search.linked);
  const [problem, setProblem] = useState<string | null>(null);
  const started = useRef(false);

  useEffect(() => {
    if (search.error || started.current) return;
    started.current = true; // a refresh token works once: never trade it twice (StrictMode runs effects twice)
    if (search.linked) {
      toast.success(`${providerName} is linked to your account. You can now sign in with it.`);
      void navigate({ to: search.redirectTo, replace: true });
      return;
    }
    adoptProviderSession(queryClient).then(
      async (user) => {
        if (!user) {
          setProblem('The sign-in did not finish (its session was not found). Start again from the sign-in page.');
          return;
        }
        toast.success(`Welcome, ${displayName(user)}.`);
        await navigate({ to: search.redirectTo, replace: true });
      },
      (error: unknown) => setProblem(errorMessage(error)),
    );
  }, [search, providerName, queryClient, navigate]);

  const message = search.error ? providerErrorSentence(search.error, providerName) : problem;
  if (!message) return <LoadingState label="Signing you in…" />;
  return (
    <>
      <h1 className="text-xl font-semibold">
        {search.error === 'email_conflict' ? 'Sign in with your password' : 'Not signed in'}
      </h1>
      <p role="alert" className="mt-3 text-sm text-slate-700 dark:text-slate-300">
        {message}
      </p>
      <p className="mt-6 text-center text-sm">
        <Link to="/login" search={search.redirectTo !== '/' ? { redirect: search.redirectTo } : {}}>
          Back to sign in
        </Link>
      </p>
    </>
  );
}
