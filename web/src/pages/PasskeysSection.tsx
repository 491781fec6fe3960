// Settings → Passkeys: the caller's passkeys (name, when made and last used, synced or bound to
// one device), with adding one (confirmed with the password), renaming and removing.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import { errorMessage } from '../api/errors';
import { meQuery } from '../auth/session';
import { Dialog } from '../components/Dialog';
import { PasswordConfirmDialog } from '../components/PasswordConfirmDialog';
import { Badge, Button, Card, EmptyState, ErrorState, FormError, LoadingState, TextField } from '../components/ui';
import { formatDateTime } from '../lib/format';
import { addPasskey, defaultPasskeyName, passkeysSupported } from '../lib/passkeys';
import { toast } from '../lib/toast';
import { useForm } from '../lib/useForm';
import { maxLength, required } from '../lib/validation';

const passkeysKey = ['my-passkeys'];
const NAME_MAX = 64;

type Passkey = {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
  backed_up: boolean;
  device_type: string;
};

function AddPasskeyDialog({
  open,
  onClose,
  onAdded,
  mfaEnabled,
  hasPasskeys,
}: {
  open: boolean;
  onClose: () => void;
  onAdded: () => Promise<void>;
  mfaEnabled: boolean;
  hasPasskeys: boolean;
}) {
  // With MFA on, adding a passkey needs a second factor: one of the user's passkeys if they have one, else a code.
  const needsCode = mfaEnabled && !hasPasskeys;
  const form = useForm({ name: defaultPasskeyName(), current_password: '', code: '' }, () => ({
    name: [required('Name'), maxLength('Name', NAME_MAX)],
    current_password: [required('Current password')],
  }));
  function close() {
    form.reset();
    onClose();
  }
  const onSubmit = form.handleSubmit(async (values) => {
    const added = await addPasskey(values.current_password, values.name.trim(), {
      code: needsCode ? values.code.trim() : undefined,
      stepUpWithPasskey: mfaEnabled && hasPasskeys,
    });
    toast.success(`Passkey “${added.name}” added.`);
    form.reset();
    await onAdded();
  });
  return (
    <Dialog open={open} title="Add a passkey" onClose={close}>
      <form ref={form.formRef} onSubmit={onSubmit} noValidate className="space-y-4">
        <p className="text-sm text-slate-700 dark:text-slate-300">
          Enter your current password; then your browser asks you to create the passkey (with your fingerprint, face, screen lock
          or security key).
        </p>
        <FormError message={form.formError} />
        <TextField label="Passkey name" autoComplete="off" {...form.field('name')} />
        <TextField label="Current password" type="password" autoComplete="current-password" {...form.field('current_password')} />
        {needsCode && (
          <TextField label="Authentication code" autoComplete="one-time-code" inputMode="numeric" {...form.field('code')} />
        )}
        {mfaEnabled && hasPasskeys && (
          <p className="text-xs text-slate-600 dark:text-slate-400">You will first confirm with one of your passkeys.</p>
        )}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={close}>
            Cancel
          </Button>
          <Button type="submit" busy={form.submitting}>
            Create passkey
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function RenameDialog({ passkey, onClose }: { passkey: Passkey; onClose: () => void }) {
  const queryClient = useQueryClient();
  const form = useForm({ name: passkey.name }, () => ({ name: [required('Name'), maxLength('Name', NAME_MAX)] }));
  const onSubmit = form.handleSubmit(async (values) => {
    await unwrap(
      api.PATCH('/api/v1/users/me/passkeys/{passkey_id}', {
        params: { path: { passkey_id: passkey.id } },
        body: { name: values.name.trim() },
      }),
    );
    await queryClient.invalidateQueries({ queryKey: passkeysKey });
    toast.success('Passkey renamed.');
    onClose();
  });
  return (
    <Dialog open title="Rename passkey" onClose={onClose}>
      <form ref={form.formRef} onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={form.formError} />
        <TextField label="Passkey name" autoComplete="off" {...form.field('name')} />
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" busy={form.submitting}>
            Save name
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

export function PasskeysSection({ mfaEnabled }: { mfaEnabled: boolean }) {
  const queryClient = useQueryClient();
  const passkeys = useQuery({ queryKey: passkeysKey, queryFn: () => unwrap(api.GET('/api/v1/users/me/passkeys')) });
  const refresh = () => queryClient.invalidateQueries({ queryKey: passkeysKey });
  const [adding, setAdding] = useState(false);
  const [renaming, setRenaming] = useState<Passkey | null>(null);
  const [removing, setRemoving] = useState<Passkey | null>(null);
  const remove = useMutation({
    mutationFn: ({ id, password }: { id: string; password: string }) =>
      unwrap(
        api.DELETE('/api/v1/users/me/passkeys/{passkey_id}', {
          params: { path: { passkey_id: id } },
          body: { current_password: password },
        }),
      ),
  });
  const list: Passkey[] = passkeys.data?.data ?? [];
  const supported = passkeysSupported();

  return (
    <Card aria-labelledby="passkeys-title" className="lg:col-span-2">
      <div className="mb-4 flex flex-wrap items-start justify-between gap-3">
        <div>
          <h2 id="passkeys-title" className="text-lg font-semibold">
            Passkeys
          </h2>
          <p className="mt-0.5 text-sm text-slate-600 dark:text-slate-400">
            Sign in with your fingerprint, face, screen lock or a security key instead of your password. Each passkey counts as
            two factors.
          </p>
        </div>
        {supported && (
          <Button variant="secondary" onClick={() => setAdding(true)} disabled={list.length >= 10}>
            Add a passkey
          </Button>
        )}
      </div>
      {!supported && <p className="mb-3 text-sm text-amber-800 dark:text-amber-300">This browser cannot create passkeys.</p>}
      {passkeys.isPending ? (
        <LoadingState label="Loading passkeys…" />
      ) : passkeys.isError ? (
        <ErrorState message={errorMessage(passkeys.error)} onRetry={() => void passkeys.refetch()} />
      ) : list.length === 0 ? (
        <EmptyState title="No passkeys yet">Add one to sign in without typing your password.</EmptyState>
      ) : (
        <ul aria-label="Your passkeys" className="divide-y divide-slate-100 dark:divide-slate-800">
          {list.map((passkey) => (
            <li key={passkey.id} className="flex flex-wrap items-center justify-between gap-3 py-3">
              <div className="min-w-0">
                <p className="flex flex-wrap items-center gap-2 text-sm font-medium">
                  {passkey.name}
                  {passkey.backed_up ? <Badge tone="indigo">Synced</Badge> : <Badge tone="slate">This device only</Badge>}
                </p>
                <p className="text-xs text-slate-600 dark:text-slate-400">
                  added {formatDateTime(passkey.created_at)} ·{' '}
                  {passkey.last_used_at ? `last used ${formatDateTime(passkey.last_used_at)}` : 'never used'}
                </p>
              </div>
              <div className="flex gap-1">
                <Button variant="secondary" size="sm" aria-label={`Rename ${passkey.name}`} onClick={() => setRenaming(passkey)}>
                  Rename
                </Button>
                <Button
                  variant="ghostDanger"
                  size="sm"
                  aria-label={`Remove ${passkey.name}`}
                  onClick={() => setRemoving(passkey)}
                >
                  Remove
                </Button>
              </div>
            </li>
          ))}
        </ul>
      )}
      <AddPasskeyDialog
        open={adding}
        mfaEnabled={mfaEnabled}
        hasPasskeys={list.length > 0}
        onClose={() => setAdding(false)}
        onAdded={async () => {
          setAdding(false);
          await refresh();
          // The first passkey turns MFA on: the account's record says so.
          await queryClient.invalidateQueries({ queryKey: meQuery.queryKey });
        }}
      />
      {renaming && <RenameDialog key={renaming.id} passkey={renaming} onClose={() => setRenaming(null)} />}
      <PasswordConfirmDialog
        open={removing !== null}
        title="Remove passkey"
        description={`“${removing?.name ?? ''}” will no longer sign in to your account. Enter your current password to remove it.`}
        confirmLabel="Remove passkey"
        onConfirm={async (password) => {
          if (!removing) return;
          await remove.mutateAsync({ id: removing.id, password });
          toast.success('Passkey removed.');
          setRemoving(null);
          await refresh();
          await queryClient.invalidateQueries({ queryKey: meQuery.queryKey });
        }}
        onClose={() => setRemoving(null)}
      />
    </Card>
  );
}
