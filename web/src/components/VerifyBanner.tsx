import { useState } from 'react';
import { api, unwrap } from '../api/client';
import { errorMessage } from '../api/errors';
import type { UserPublic } from '../api/types';
import { useDevMailbox } from '../lib/dev-mailbox';
import { toast } from '../lib/toast';
import { Button } from './ui';

/** Shown to signed-in people whose address is not verified yet, with a way to get a new link. */
export function VerifyBanner({ me }: { me: UserPublic }) {
  const [busy, setBusy] = useState(false);
  const mailbox = useDevMailbox();
  if (me.is_verified) return null;

  async function resend() {
    setBusy(true);
    try {
      const result = await unwrap(api.POST('/api/v1/users/me/verification-email'));
      toast.success(`${result.message}.`);
    } catch (error) {
      toast.error(errorMessage(error)); // e.g. 429 "wait a minute" in the API's words
    } finally {
      setBusy(false);
    }
  }

  return (
    <section
      aria-label="Email verification"
      className="border-b border-amber-200 bg-amber-50 text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-200"
    >
      <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-2 px-4 py-2 text-sm">
        <p>
          Please verify your email address: we sent a link to <strong className="break-all">{me.email}</strong>.
          {mailbox && (
            <>
              {' '}
              <a href={mailbox} className="font-medium text-amber-900 underline dark:text-amber-200">
                Open the dev mailbox
              </a>
            </>
          )}
        </p>
        <Button variant="secondary" size="sm" busy={busy} onClick={resend}>
          Send a new link
        </Button>
      </div>
    </section>
  );
}
