import { useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import { errorMessage } from '../api/errors';
import { signOut } from '../auth/session';
import { Button, FormError } from '../components/ui';

type State =
  | { kind: 'asking' }
  | { kind: 'restoring' }
  | { kind: 'restored'; message: string }
  | { kind: 'failed'; message: string };

/**
 * Landing page of the link sent to the old address after an email change. It acts only on a click:
 * it signs out every session, so a mail scanner opening the link must not trigger it.
 */
export function RestoreEmailPage({ token }: { token?: string }) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<State>({ kind: 'asking' });

  async function restore(value: string) {
    setState({ kind: 'restoring' });
    try {
      const result = await unwrap(api.POST('/api/v1/users/restore-email', { body: { token: value } }));
      // Every session has ended on the server, this browser's too.
      await signOut(queryClient, { revoke: false });
      setState({ kind: 'restored', message: result.message });
    } catch (error) {
      setState({ kind: 'failed', message: errorMessage(error) });
    }
  }

  if (!token) {
    return (
      <>
        <h1 className="text-xl font-semibold">Restore your email</h1>
        <p role="alert" className="mt-3 text-sm text-slate-700 dark:text-slate-300">
          This page needs the link from the email about your address change, and this address has no token in it.
        </p>
      </>
    );
  }

  return (
    <>
      <h1 className="text-xl font-semibold">Restore your email</h1>
      {state.kind === 'restored' ? (
        <div role="status" className="mt-3 space-y-2 text-sm text-slate-700 dark:text-slate-300">
          <p>{state.message}.</p>
          <p>
            If someone else changed your email, they may also know your password: <Link to="/recover-password">reset it now</Link>
            .
          </p>
        </div>
      ) : (
        <div className="mt-3 space-y-4 text-sm text-slate-700 dark:text-slate-300">
          <p>
            This puts back the email address your account had before the change, and signs out every session, on every device.
          </p>
          {state.kind === 'failed' && (
            <div role="alert">
              <FormError message={state.message} />
              <p className="mt-2">The link may have expired (after 7 days) or been used already.</p>
            </div>
          )}
          <Button busy={state.kind === 'restoring'} onClick={() => void restore(token)}>
            Restore my email address
          </Button>
        </div>
      )}
      <p className="mt-6 text-center text-sm">
        <Link to="/login">Sign in</Link>
      </p>
    </>
  );
}
