// Settings → Two-factor authentication: turn the authenticator app on (QR code, secret, first
// code), see how many recovery codes are left and make new ones, turn it off. Anything that
// weakens the account asks for the password and a code in the same request.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { api, unwrap } from '../api/client';
import { errorMessage } from '../api/errors';
import type { UserPublic } from '../api/types';
import { meQuery } from '../auth/session';
import { PasswordConfirmDialog } from '../components/PasswordConfirmDialog';
import { RecoveryCodesPanel } from '../components/RecoveryCodesPanel';
import { type TotpEnrolment, TotpSetup } from '../components/TotpSetup';
import { Badge, Button, Card, ErrorState, LoadingState } from '../components/ui';
import { normalizeCode } from '../lib/mfa';
import { toast } from '../lib/toast';
import { rememberedDevicesKey } from './DevicesSection';

export const mfaStatusKey = ['my-mfa'];
/** Few enough recovery codes left that it is time to make new ones. */
const FEW_CODES_LEFT = 3;

type Dialogs = 'enable' | 'disable' | 'regenerate' | null;

export function SecuritySection({ me }: { me: UserPublic }) {
  const queryClient = useQueryClient();
  const status = useQuery({ queryKey: mfaStatusKey, queryFn: () => unwrap(api.GET('/api/v1/users/me/mfa')) });
  const [dialog, setDialog] = useState<Dialogs>(null);
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [freshCodes, setFreshCodes] = useState<string[] | null>(null);

  async function refresh() {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: mfaStatusKey }),
      queryClient.invalidateQueries({ queryKey: meQuery.queryKey }),
      // Turning the factor off forgets remembered devices, which the devices list shows.
      queryClient.invalidateQueries({ queryKey: rememberedDevicesKey }),
    ]);
  }

  async function begin(password: string) {
    setEnrolment(await unwrap(api.POST('/api/v1/users/me/mfa/totp', { body: { current_password: password } })));
    setDialog(null);
  }

  async function confirm(code: string) {
    const { recovery_codes } = await unwrap(
      api.POST('/api/v1/users/me/mfa/totp/confirm', { body: { code: normalizeCode(code) } }),
    );
    setEnrolment(null);
    setFreshCodes(recovery_codes);
    toast.success('Two-factor authentication is on.');
    await refresh();
  }

  async function disable(password: string, code = '') {
    await unwrap(api.DELETE('/api/v1/users/me/mfa/totp', { body: { current_password: password, code } }));
    setDialog(null);
    toast.success('Two-factor authentication is off.');
    await refresh();
  }

  async function regenerate(password: string, code?: string) {
    const { recovery_codes } = await unwrap(
      api.POST('/api/v1/users/me/mfa/recovery-codes', { body: { current_password: password, code } }),
    );
    setDialog(null);
    setFreshCodes(recovery_codes);
    toast.success('New recovery codes made. The old ones no longer work.');
    await refresh();
  }

  const on = status.data?.totp === true;
  const left = status.data?.recovery_codes_left ?? 0;

  let body: ReactNode;
  if (freshCodes) {
    body = <RecoveryCodesPanel codes={freshCodes} account={me.email} onDone={() => setFreshCodes(null)} />;
  } else if (enrolment) {
    body = <TotpSetup enrolment={enrolment} onConfirm={confirm} onCancel={() => setEnrolment(null)} />;
  } else if (status.isPending) {
    body = <LoadingState label="Loading two-factor settings…" />;
  } else if (status.isError) {
    body = <ErrorState message={errorMessage(status.error)} onRetry={() => void status.refetch()} />;
  } else if (!on) {
    body = (
      <div className="space-y-3">
        <p className="text-sm text-slate-700 dark:text-slate-300">
          After your password, sign-in will ask for a code from an authenticator app on your phone or computer.
        </p>
        <Button onClick={() => setDialog('enable')}>Turn on two-factor authentication</Button>
      </div>
    );
  } else {
    body = (
      <div className="space-y-4">
        <dl className="grid gap-3 text-sm sm:grid-cols-2">
          <div>
            <dt className="font-medium">Authenticator app</dt>
            <dd className="text-slate-600 dark:text-slate-400">Asked for at every sign-in after your password.</dd>
          </div>
          <div>
            <dt className="font-medium">Recovery codes</dt>
            <dd className={left <= FEW_CODES_LEFT ? 'text-amber-700 dark:text-amber-300' : 'text-slate-600 dark:text-slate-400'}>
              {left === 1 ? '1 code left' : `${left} codes left`}
              {left <= FEW_CODES_LEFT && ': make new ones before you run out.'}
            </dd>
          </div>
        </dl>
        <div className="flex flex-wrap gap-2">
          <Button variant="secondary" onClick={() => setDialog('regenerate')}>
            Create new recovery codes
          </Button>
          <Button variant="ghostDanger" onClick={() => setDialog('disable')}>
            Turn off
          </Button>
        </div>
      </div>
    );
  }

  return (
    <Card aria-labelledby="security-title" className="lg:col-span-2">
      <div className="mb-4 flex flex-wrap items-start justify-between gap-3">
        <div>
          <h2 id="security-title" className="text-lg font-semibold">
            Two-factor authentication
          </h2>
          <p className="mt-0.5 text-sm text-slate-600 dark:text-slate-400">
            A second proof that it is you, so a stolen password is not enough to get in.
          </p>
        </div>
        {status.data && <Badge tone={on ? 'green' : 'slate'}>{on ? 'On' : 'Off'}</Badge>}
      </div>
      {body}
      <PasswordConfirmDialog
        open={dialog === 'enable'}
        title="Turn on two-factor authentication"
        description="Enter your current password to start setting up an authenticator app."
        confirmLabel="Continue"
        onConfirm={begin}
        onClose={() => setDialog(null)}
      />
      <PasswordConfirmDialog
        open={dialog === 'regenerate'}
        title="Create new recovery codes"
        description="Your current recovery codes will stop working. Enter your password and a code to continue."
        confirmLabel="Create new codes"
        withCode
        onConfirm={regenerate}
        onClose={() => setDialog(null)}
      />
      <PasswordConfirmDialog
        open={dialog === 'disable'}
        title="Turn off two-factor authentication"
        description="Sign-in will ask only for your password, and remembered devices are forgotten. Enter your password and a code to confirm."
        confirmLabel="Turn off"
        withCode
        danger
        onConfirm={disable}
        onClose={() => setDialog(null)}
      />
    </Card>
  );
}
