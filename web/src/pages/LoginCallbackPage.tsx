// Where the server sends the browser back after a sign-in (or a link) with another provider.
// Success: the refresh cookie is set; trade it for an access token and go on. A second factor
// owed: the login's MFA step, with the token from the fragment. Linked: back to Settings.
// Otherwise: say what happened, in words, with the way forward.
import { useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useEffect, useRef, useState } from 'react';
import { errorMessage } from '../api/errors';
import type { UserPublic } from '../api/types';
import { adoptProviderSession, displayName } from '../auth/session';
import { useLoginProviders } from '../components/ProviderButtons';
import { LoadingState } from '../components/ui';
import type { MfaChallenge } from '../lib/mfa';
import { mfaChallengeFromFragment, providerErrorSentence } from '../lib/sign-in-providers';
import { toast } from '../lib/toast';
import { MfaCodeStep, MfaSetupStep } from './LoginMfaSteps';

export interface CallbackSearch {
  error?: string;
  provider?: string;
  linked?: string;
  redirectTo: string;
}

/** The provider as the login page names it ("Google"), or its configured name. */
function useProviderName(name: string | undefined): string {
  const providers = useLoginProviders(Boolean(name));
  return providers.data?.find((p) => p.name === name)?.display_name ?? name ?? 'The provider';
}

export function LoginCallbackPage({ search }: { search: CallbackSearch }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const providerName = useProviderName(search.error ? search.provider : search.linked);
  const [problem, setProblem] = useState<string | null>(null);
  // Read once, then taken out of the address bar (and history): the token is single-use anyway.
  const [challenge] = useState<MfaChallenge | null>(() => mfaChallengeFromFragment(window.location.hash));
  const started = useRef(false);

  useEffect(() => {
    if (challenge) window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
  }, [challenge]);

  async function welcome(user: UserPublic) {
    toast.success(`Welcome, ${displayName(user)}.`);
    await navigate({ to: search.redirectTo, replace: true });
  }

  useEffect(() => {
    if (search.error || challenge || started.current) return;
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
        await welcome(user);
      },
      (error: unknown) => setProblem(errorMessage(error)),
    );
  });

  const startOver = () => void navigate({ to: '/login' });
  if (challenge?.kind === 'code') return <MfaCodeStep challenge={challenge} onSignedIn={welcome} onStartOver={startOver} />;
  if (challenge?.kind === 'setup') {
    return <MfaSetupStep challenge={challenge} email="" onSignedIn={welcome} onStartOver={startOver} />;
  }

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
