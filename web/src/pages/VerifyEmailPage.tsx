import { useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useEffect, useRef, useState } from 'react';
import { api, unwrap } from '../api/client';
import { errorMessage } from '../api/errors';
import { ensureSession, meQuery } from '../auth/session';
import { Spinner } from '../components/ui';

type State = { kind: 'verifying' } | { kind: 'verified'; message: string } | { kind: 'failed'; message: string };

/** Landing page of the emailed verification link: verifies on arrival, no click needed. */
export function VerifyEmailPage({ token }: { token?: string }) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<State>({ kind: 'verifying' });
  // The link may be opened in a browser with a session (a fresh page load has its token only
  // in the refresh cookie): then offer the dashboard rather than sign-in.
  const [signedIn, setSignedIn] = useState(false);
  useEffect(() => {
    ensureSession().then(setSignedIn, () => setSignedIn(false));
  }, []);
  // The token is single-use: never send it twice (React's StrictMode runs effects twice in dev).
  const sent = useRef<string | null>(null);

  useEffect(() => {
    if (!token || sent.current === token) return;
    sent.current = token;
    unwrap(api.POST('/api/v1/users/verify-email', { body: { token } }))
      .then(async (result) => {
        setState({ kind: 'verified', message: result.message });
        await queryClient.invalidateQueries({ queryKey: meQuery.queryKey });
      })
      .catch((error) => setState({ kind: 'failed', message: errorMessage(error) }));
  }, [token, queryClient]);

  const next = signedIn ? <Link to="/">Go to the dashboard</Link> : <Link to="/login">Sign in</Link>;

  if (!token) {
    return (
      <>
        <h1 className="text-xl font-semibold">Verify your email</h1>
        <p role="alert" className="mt-3 text-sm text-slate-700 dark:text-slate-300">
          This page needs the link from your verification email, and this address has no token in it.
        </p>
        <p className="mt-6 text-center text-sm">{next}</p>
      </>
    );
  }

  return (
    <>
      <h1 className="text-xl font-semibold">Verify your email</h1>
      {state.kind === 'verifying' && (
        <div className="mt-4 text-indigo-600 dark:text-indigo-400">
          <Spinner label="Verifying your email address…" />
        </div>
      )}
      {state.kind === 'verified' && (
        <p role="status" className="mt-3 text-sm text-slate-700 dark:text-slate-300">
          {state.message}. Thank you!
        </p>
      )}
      {state.kind === 'failed' && (
        <div role="alert" className="mt-3 space-y-2 text-sm text-slate-700 dark:text-slate-300">
          <p className="font-medium text-red-700 dark:text-red-400">{state.message}</p>
          <p>The link may have expired or been used already. Signed in, you can ask for a new one from the banner.</p>
        </div>
      )}
      {state.kind !== 'verifying' && <p className="mt-6 text-center text-sm">{next}</p>}
    </>
  );
}
