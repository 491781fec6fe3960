// The sign-in steps after the password, when the server answers with an `mfa_token`: a code
// (authenticator or recovery code) for an account with a second factor, or setting one up
// when the server requires it (MFA_REQUIRED) and the account has none yet.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, unwrap } from '../api/client';
import { ApiError, errorMessage } from '../api/errors';
import type { UserPublic } from '../api/types';
import { completeMfa, completeMfaWithPasskey, confirmMfaSetup, startMfaSetup } from '../auth/session';
import { RecoveryCodesPanel } from '../components/RecoveryCodesPanel';
import { type TotpEnrolment, TotpSetup } from '../components/TotpSetup';
import { Button, Checkbox, ErrorState, FormError, LoadingState, TextField } from '../components/ui';
import { isTotpCode, type MfaChallenge, TOTP_DIGITS, totpCodeCheck } from '../lib/mfa';
import { passkeysSupported } from '../lib/passkeys';
import { toast } from '../lib/toast';
import { useForm } from '../lib/useForm';
import { required } from '../lib/validation';

type StepProps<Kind extends MfaChallenge['kind']> = {
  challenge: Extract<MfaChallenge, { kind: Kind }>;
  onSignedIn: (user: UserPublic) => Promise<void>;
  onStartOver: () => void;
};

function StartOver({ onStartOver }: { onStartOver: () => void }) {
  return (
    <p className="mt-6 text-center text-sm">
      <button type="button" onClick={onStartOver} className="text-indigo-700 underline dark:text-indigo-300">
        Back to sign in
      </button>
    </p>
  );
}

/** The server's word for an mfa_token that expired, was used, or had too many wrong codes. */
const SPENT_TOKEN_DETAIL = 'Invalid or expired MFA token';

/** A spent token cannot be retried with another code: say what to do instead. */
function explainSpentToken(error: unknown): never {
  if (error instanceof ApiError && error.detail === SPENT_TOKEN_DETAIL) {
    throw new ApiError(error.status, error.detail, 'This sign-in has expired. Go back to sign in and enter your password again.');
  }
  throw error;
}

/** After a recovery code: say how many are left, so nobody runs out unawares. */
async function announceCodesLeft(): Promise<void> {
  const status = await unwrap(api.GET('/api/v1/users/me/mfa')).catch(() => null);
  if (!status) return;
  const left = status.recovery_codes_left;
  const message = `You used a recovery code: ${left === 1 ? '1 code is' : `${left} codes are`} left.`;
  if (left <= 3) toast.error(`${message} Make new ones in Settings.`);
  else toast.info(message);
}

export function MfaCodeStep({ challenge, onSignedIn, onStartOver }: StepProps<'code'>) {
  const queryClient = useQueryClient();
  const recoveryAllowed = challenge.methods.includes('recovery_code');
  const [useRecovery, setUseRecovery] = useState(!challenge.methods.includes('totp') && recoveryAllowed);
  const [rememberDevice, setRememberDevice] = useState(false);
  const form = useForm({ code: '' }, () => ({ code: useRecovery ? [required('Recovery code')] : [totpCodeCheck] }));

  const onSubmit = form.handleSubmit(async ({ code }) => {
    const user = await completeMfa(queryClient, { mfaToken: challenge.mfaToken, code, rememberDevice }).catch(explainSpentToken);
    await onSignedIn(user);
    if (!isTotpCode(code)) await announceCodesLeft();
  });

  function switchMethod() {
    setUseRecovery((current) => !current);
    form.reset();
  }

  // A passkey, where the user has one: offered first, and alone when it is their only factor.
  const passkeyAllowed = challenge.methods.includes('passkey') && passkeysSupported();
  const codesAllowed = challenge.methods.includes('totp') || recoveryAllowed;
  const [passkeyBusy, setPasskeyBusy] = useState(false);
  const [passkeyError, setPasskeyError] = useState<string | null>(null);
  async function withPasskey() {
    setPasskeyError(null);
    setPasskeyBusy(true);
    try {
      const user = await completeMfaWithPasskey(queryClient, { mfaToken: challenge.mfaToken, rememberDevice }).catch(
        explainSpentToken,
      );
      await onSignedIn(user);
    } catch (error) {
      setPasskeyError(errorMessage(error));
    } finally {
      setPasskeyBusy(false);
    }
  }

  return (
    <>
      <h1 className="text-xl font-semibold">Two-factor authentication</h1>
      <p className="mt-1 mb-5 text-sm text-slate-600 dark:text-slate-400">
        {!codesAllowed
          ? 'Confirm it is you with your passkey.'
          : useRecovery
            ? 'Enter one of the recovery codes you saved. Each code works once.'
            : `Enter the ${TOTP_DIGITS}-digit code from your authenticator app.`}
      </p>
      {passkeyAllowed && (
        <div className="mb-5 space-y-3">
          <FormError message={passkeyError} />
          <Button
            variant={codesAllowed ? 'secondary' : 'primary'}
            className="w-full"
            busy={passkeyBusy}
            onClick={() => void withPasskey()}
          >
            Use a passkey
          </Button>
          {!codesAllowed && (
            <Checkbox
              label="Remember this device"
              hint="Skip this step on this browser for a while. Not on a shared computer."
              checked={rememberDevice}
              onChange={(event) => setRememberDevice(event.target.checked)}
            />
          )}
        </div>
      )}
      {codesAllowed && (
        <form ref={form.formRef} onSubmit={onSubmit} noValidate className="space-y-4">
          <FormError message={form.formError} />
          <TextField
            key={useRecovery ? 'recovery' : 'totp'}
            label={useRecovery ? 'Recovery code' : 'Authentication code'}
            inputMode={useRecovery ? 'text' : 'numeric'}
            autoComplete={useRecovery ? 'off' : 'one-time-code'}
            autoCapitalize="none"
            spellCheck={false}
            autoFocus
            {...form.field('code')}
          />
          <Checkbox
            label="Remember this device"
            hint="Skip this step on this browser for a while. Not on a shared computer."
            checked={rememberDevice}
            onChange={(event) => setRememberDevice(event.target.checked)}
          />
          <Button type="submit" className="w-full" busy={form.submitting}>
            Verify
          </Button>
        </form>
      )}
      {recoveryAllowed && challenge.methods.includes('totp') && (
        <p className="mt-4 text-center text-sm">
          <button type="button" onClick={switchMethod} className="text-indigo-700 underline dark:text-indigo-300">
            {useRecovery ? 'Use your authenticator app instead' : 'Use a recovery code instead'}
          </button>
        </p>
      )}
      <StartOver onStartOver={onStartOver} />
    </>
  );
}

// One request per token, however often React mounts the step (StrictMode mounts twice): each
// request starts a new pending secret, and the app must be shown the one that will be checked.
// Not a query: signing in clears the query cache, which would ask again with a spent token.
const pendingEnrolments = new Map<string, Promise<TotpEnrolment>>();

function usePendingEnrolment(mfaToken: string): { data?: TotpEnrolment; error?: unknown } {
  const [state, setState] = useState<{ data?: TotpEnrolment; error?: unknown }>({});
  useEffect(() => {
    let live = true;
    let pending = pendingEnrolments.get(mfaToken);
    if (!pending) {
      pending = startMfaSetup(mfaToken);
      pendingEnrolments.set(mfaToken, pending);
    }
    pending.then(
      (data) => live && setState({ data }),
      (error: unknown) => live && setState({ error }),
    );
    return () => {
      live = false;
    };
  }, [mfaToken]);
  return state;
}

export function MfaSetupStep({ challenge, email, onSignedIn, onStartOver }: StepProps<'setup'> & { email: string }) {
  const queryClient = useQueryClient();
  const enrolment = usePendingEnrolment(challenge.mfaToken);
  const [done, setDone] = useState<{ user: UserPublic; recoveryCodes: string[] } | null>(null);

  return (
    <>
      <h1 className="text-xl font-semibold">Set up two-factor authentication</h1>
      <p className="mt-1 mb-5 text-sm text-slate-600 dark:text-slate-400">
        {done
          ? 'You are signed in. One last thing before you continue:'
          : 'This account needs a second factor before it can sign in: an authenticator app on your phone or computer.'}
      </p>
      {done ? (
        <RecoveryCodesPanel
          codes={done.recoveryCodes}
          account={email || done.user.email}
          doneLabel="Continue"
          onDone={() => void onSignedIn(done.user)}
        />
      ) : enrolment.error !== undefined ? (
        <ErrorState message={errorMessage(enrolment.error)} />
      ) : !enrolment.data ? (
        <LoadingState label="Preparing…" />
      ) : (
        <TotpSetup
          enrolment={enrolment.data}
          confirmLabel="Turn on and sign in"
          onConfirm={async (code) =>
            setDone(await confirmMfaSetup(queryClient, { mfaToken: challenge.mfaToken, code }).catch(explainSpentToken))
          }
          onCancel={onStartOver}
        />
      )}
      {!done && <StartOver onStartOver={onStartOver} />}
    </>
  );
}
