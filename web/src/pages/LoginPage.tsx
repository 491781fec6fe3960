import { useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { errorMessage } from '../api/errors';
import type { UserPublic } from '../api/types';
import { displayName, signIn, signInWithPasskey } from '../auth/session';
import { ProviderButtons } from '../components/ProviderButtons';
import { Button, FormError, TextField } from '../components/ui';
import type { MfaChallenge } from '../lib/mfa';
import {
  autofillSupported,
  cancelPasskeyRequest,
  passkeyAssertion,
  passkeyProblem,
  passkeysSupported,
  wasCancelled,
} from '../lib/passkeys';
import { toast } from '../lib/toast';
import { useForm } from '../lib/useForm';
import { email, required } from '../lib/validation';
import { MfaCodeStep, MfaSetupStep } from './LoginMfaSteps';

export function LoginPage({ redirectTo, sessionEnded = false }: { redirectTo: string; sessionEnded?: boolean }) {
  const navigate = useNavigate();
  // Set when the password was right but the server asks for a second step.
  const [challenge, setChallenge] = useState<MfaChallenge | null>(null);
  const [address, setAddress] = useState('');

  async function welcome(user: UserPublic) {
    toast.success(`Welcome back, ${displayName(user)}.`);
    await navigate({ to: redirectTo });
  }

  if (challenge?.kind === 'code') {
    return <MfaCodeStep challenge={challenge} onSignedIn={welcome} onStartOver={() => setChallenge(null)} />;
  }
  if (challenge?.kind === 'setup') {
    return <MfaSetupStep challenge={challenge} email={address} onSignedIn={welcome} onStartOver={() => setChallenge(null)} />;
  }
  return (
    <PasswordStep
      redirectTo={redirectTo}
      initialEmail={address}
      sessionEnded={sessionEnded}
      onSignedIn={welcome}
      onChallenge={(next, typed) => {
        setAddress(typed);
        setChallenge(next);
      }}
    />
  );
}

function PasswordStep({
  redirectTo,
  initialEmail,
  sessionEnded,
  onSignedIn,
  onChallenge,
}: {
  redirectTo: string;
  initialEmail: string;
  sessionEnded: boolean;
  onSignedIn: (user: UserPublic) => Promise<void>;
  onChallenge: (challenge: MfaChallenge, email: string) => void;
}) {
  const queryClient = useQueryClient();
  // The API does not format-check `username` at login, but every account has a valid
  // address, so a malformed one cannot succeed: say so without a round trip.
  const form = useForm({ email: initialEmail, password: '' }, () => ({ email: [email], password: [required('Password')] }));

  const onSubmit = form.handleSubmit(async ({ email: address, password }) => {
    const result = await signIn(queryClient, address, password);
    if (result.kind === 'signed-in') await onSignedIn(result.user);
    else onChallenge(result, address.trim());
  });

  const [passkeyBusy, setPasskeyBusy] = useState(false);
  const [passkeyError, setPasskeyError] = useState<string | null>(null);
  // Bumped after the passkey button's prompt ends, to offer passkeys in the email field's autofill again.
  const [autofillRound, setAutofillRound] = useState(0);

  async function finishWithPasskey(assertion: Awaited<ReturnType<typeof passkeyAssertion>>) {
    // A passkey verifies its user: two factors at once, so no second step follows.
    await onSignedIn(await signInWithPasskey(queryClient, assertion));
  }

  // Conditional mediation: where the browser supports it, the email field's autofill lists this
  // site's passkeys; picking one signs in. The request waits quietly until then.
  // Runs again whenever autofillRound changes.
  useEffect(() => {
    let active = true;
    void (async () => {
      if (!(await autofillSupported()) || !active) return;
      try {
        const assertion = await passkeyAssertion(true);
        if (active) await finishWithPasskey(assertion);
      } catch (error) {
        if (active && !wasCancelled(error)) setPasskeyError(errorMessage(passkeyProblem(error)));
      }
    })();
    return () => {
      active = false;
      cancelPasskeyRequest();
    };
  }, [autofillRound]);

  async function signInWithPasskeyButton() {
    setPasskeyError(null);
    setPasskeyBusy(true);
    try {
      await finishWithPasskey(await passkeyAssertion(false));
    } catch (error) {
      setPasskeyError(errorMessage(passkeyProblem(error)));
      setAutofillRound((round) => round + 1);
    } finally {
      setPasskeyBusy(false);
    }
  }

  return (
    <>
      <h1 className="text-xl font-semibold">Sign in</h1>
      <p className="mt-1 mb-5 text-sm text-slate-600 dark:text-slate-400">Use your Roster account.</p>
      {sessionEnded && (
        <p
          role="status"
          className="mb-4 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-200"
        >
          You were signed out: your session ended (signed out from another device, by an administrator, or expired). Sign in again
          to continue.
        </p>
      )}
      <form ref={form.formRef} onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={form.formError} />
        <TextField label="Email" type="email" autoComplete="username webauthn" autoFocus {...form.field('email')} />
        <TextField label="Password" type="password" autoComplete="current-password" {...form.field('password')} />
        <div className="text-right text-sm">
          <Link to="/recover-password">Forgot password?</Link>
        </div>
        <Button type="submit" className="w-full" busy={form.submitting}>
          Sign in
        </Button>
      </form>
      {passkeysSupported() && (
        <div className="mt-4 space-y-3">
          <div className="flex items-center gap-3 text-xs text-slate-500 dark:text-slate-400" aria-hidden="true">
            <span className="h-px flex-1 bg-slate-200 dark:bg-slate-700" />
            or
            <span className="h-px flex-1 bg-slate-200 dark:bg-slate-700" />
          </div>
          <FormError message={passkeyError} />
          <Button variant="secondary" className="w-full" busy={passkeyBusy} onClick={() => void signInWithPasskeyButton()}>
            Sign in with a passkey
          </Button>
        </div>
      )}
      <ProviderButtons verb="Sign in" redirectTo={redirectTo} />
      <p className="mt-6 text-center text-sm text-slate-600 dark:text-slate-400">
        No account yet? <Link to="/signup">Sign up</Link>
      </p>
    </>
  );
}
