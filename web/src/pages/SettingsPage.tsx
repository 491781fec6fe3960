import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import { ApiError, errorMessage } from '../api/errors';
import type { UserPublic } from '../api/types';
import { meQuery, signOut, useMe } from '../auth/session';
import { Dialog } from '../components/Dialog';
import { PasswordConfirmDialog } from '../components/PasswordConfirmDialog';
import { Button, Card, FormError, PageHeader, TextField } from '../components/ui';
import { APPEARANCES, type Appearance, setAppearance, useAppearance } from '../lib/appearance';
import { toast } from '../lib/toast';
import { useForm } from '../lib/useForm';
import { email, LIMITS, matches, maxLength, password, required } from '../lib/validation';
import { DevicesSection } from './DevicesSection';
import { LinkedAccountsSection } from './LinkedAccountsSection';
import { PasskeysSection } from './PasskeysSection';
import { SecuritySection } from './SecuritySection';

function SectionTitle({ id, children, description }: { id: string; children: string; description?: string }) {
  return (
    <div className="mb-4">
      <h2 id={id} className="text-lg font-semibold">
        {children}
      </h2>
      {description && <p className="mt-0.5 text-sm text-slate-600 dark:text-slate-400">{description}</p>}
    </div>
  );
}

/**
 * The API's answers when a new email needs a password the session has not proved recently
 * (and, with two-factor authentication on, a code as well).
 */
const CONFIRM_PASSWORD_DETAIL = 'Confirm your password to change your email';
const CONFIRM_PASSWORD_AND_CODE_DETAIL = 'Confirm your password and a code to change your email';

type ProfileChanges = { full_name: string | null; email: string; withCode: boolean };

function ProfileSection({ me }: { me: UserPublic }) {
  const queryClient = useQueryClient();
  const form = useForm({ full_name: me.full_name ?? '', email: me.email }, () => ({
    full_name: [maxLength('Full name', LIMITS.nameMax)],
    email: [email],
  }));
  // Changes waiting for the password (the dialog is open while this is set).
  const [awaitingPassword, setAwaitingPassword] = useState<ProfileChanges | null>(null);

  async function save(body: Omit<ProfileChanges, 'withCode'> & { current_password?: string; code?: string }) {
    const updated = await unwrap(api.PATCH('/api/v1/users/me', { body }));
    // The answer is the account without its roles and permissions: those stay as they were.
    queryClient.setQueryData(meQuery.queryKey, (old) => old && { ...old, ...updated });
    form.reset({ full_name: updated.full_name ?? '', email: updated.email });
    toast.success('Profile saved.');
    // A new address has to be verified again; the server has mailed it a link.
    if (updated.email.toLowerCase() !== me.email.toLowerCase() && !updated.is_verified) {
      toast.info(`We sent a verification link to ${updated.email}.`);
    }
  }

  const onSubmit = form.handleSubmit(async (values) => {
    const changes = { full_name: values.full_name.trim() || null, email: values.email.trim() };
    try {
      await save(changes);
    } catch (error) {
      // A new email needs a recent sign-in: ask for the password (and a code), then send the same change with it.
      const asks = error instanceof ApiError && error.status === 403 ? error.detail : undefined;
      if (asks === CONFIRM_PASSWORD_DETAIL || asks === CONFIRM_PASSWORD_AND_CODE_DETAIL) {
        setAwaitingPassword({ ...changes, withCode: asks === CONFIRM_PASSWORD_AND_CODE_DETAIL });
        return;
      }
      throw error;
    }
  });

  return (
    <Card aria-labelledby="profile-title">
      <SectionTitle id="profile-title" description="Your name and the email you sign in with.">
        Profile
      </SectionTitle>
      <form ref={form.formRef} onSubmit={onSubmit} noValidate className="max-w-md space-y-4">
        <FormError message={form.formError} />
        <TextField label="Full name" autoComplete="name" {...form.field('full_name')} />
        <TextField label="Email" type="email" autoComplete="email" {...form.field('email')} />
        <Button type="submit" busy={form.submitting}>
          Save profile
        </Button>
      </form>
      <PasswordConfirmDialog
        open={awaitingPassword !== null}
        title="Confirm your password"
        description={`To change your email to ${awaitingPassword?.email ?? ''}, enter your current password${
          awaitingPassword?.withCode ? ' and a code' : ''
        }.`}
        confirmLabel="Change email"
        withCode={awaitingPassword?.withCode}
        onConfirm={async (password, code) => {
          if (!awaitingPassword) return;
          const { withCode: _, ...changes } = awaitingPassword;
          await save({ ...changes, current_password: password, ...(code ? { code } : {}) });
          setAwaitingPassword(null);
        }}
        onClose={() => setAwaitingPassword(null)}
      />
    </Card>
  );
}

function PasswordSection() {
  const form = useForm({ current_password: '', new_password: '', confirm: '' }, (values) => ({
    current_password: [required('Current password')],
    new_password: [password('New password')],
    confirm: [matches(() => values.new_password)],
  }));

  const onSubmit = form.handleSubmit(async (values) => {
    await unwrap(
      api.PATCH('/api/v1/users/me/password', {
        body: { current_password: values.current_password, new_password: values.new_password },
      }),
    );
    form.reset();
    toast.success('Password changed.');
  });

  return (
    <Card aria-labelledby="password-title">
      <SectionTitle id="password-title" description={`${LIMITS.passwordMin} to ${LIMITS.passwordMax} characters.`}>
        Change password
      </SectionTitle>
      <form ref={form.formRef} onSubmit={onSubmit} noValidate className="max-w-md space-y-4">
        <FormError message={form.formError} />
        <TextField label="Current password" type="password" autoComplete="current-password" {...form.field('current_password')} />
        <TextField label="New password" type="password" autoComplete="new-password" {...form.field('new_password')} />
        <TextField label="Confirm new password" type="password" autoComplete="new-password" {...form.field('confirm')} />
        <Button type="submit" busy={form.submitting}>
          Change password
        </Button>
      </form>
    </Card>
  );
}

const appearanceLabels: Record<Appearance, { label: string; hint: string }> = {
  light: { label: 'Light', hint: 'Always light.' },
  dark: { label: 'Dark', hint: 'Always dark.' },
  system: { label: 'System', hint: 'Follow your device setting.' },
};

function AppearanceSection() {
  const appearance = useAppearance();
  return (
    <Card aria-labelledby="appearance-title">
      <SectionTitle id="appearance-title" description="Remembered on this device.">
        Appearance
      </SectionTitle>
      <fieldset>
        <legend className="sr-only">Theme</legend>
        <div className="grid gap-3 sm:grid-cols-3 lg:grid-cols-1 xl:grid-cols-3">
          {APPEARANCES.map((option) => (
            <label
              key={option}
              className="flex cursor-pointer items-start gap-3 rounded-md border border-slate-300 p-3 has-checked:border-indigo-500 has-checked:bg-indigo-50 dark:border-slate-600 dark:has-checked:bg-indigo-950"
            >
              <input
                type="radio"
                name="appearance"
                value={option}
                checked={appearance === option}
                onChange={() => setAppearance(option)}
                className="mt-1 accent-indigo-600"
              />
              <span>
                <span className="block text-sm font-medium">{appearanceLabels[option].label}</span>
                <span className="block text-xs text-slate-500 dark:text-slate-400">{appearanceLabels[option].hint}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
    </Card>
  );
}

const DELETE_PHRASE = 'delete';

function DeleteAccountSection({ me }: { me: UserPublic }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  function close() {
    setOpen(false);
    setTyped('');
    setError(null);
  }

  async function deleteAccount() {
    setBusy(true);
    setError(null);
    try {
      await unwrap(api.DELETE('/api/v1/users/me'));
      await signOut(queryClient, { revoke: false }); // the account and its sessions are gone
      toast.success('Your account and its items were deleted.');
      await navigate({ to: '/login' });
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card aria-labelledby="delete-title" className="border-red-200 dark:border-red-900">
      <SectionTitle id="delete-title" description="Deletes your account and all your items. This cannot be undone.">
        Delete account
      </SectionTitle>
      {me.is_superuser ? (
        <p className="rounded-md bg-amber-50 p-3 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
          Superusers can’t delete their own account, so that the service always keeps an administrator. Ask another superuser to
          remove your superuser role, or to delete your account, from the admin area.
        </p>
      ) : (
        <Button variant="danger" onClick={() => setOpen(true)}>
          Delete my account
        </Button>
      )}
      <Dialog open={open} title="Delete your account?" onClose={close}>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (typed.trim().toLowerCase() === DELETE_PHRASE) void deleteAccount();
          }}
          className="space-y-4"
        >
          <p className="text-sm text-slate-700 dark:text-slate-300">
            This permanently deletes <strong>{me.email}</strong> and all of its items.
          </p>
          <FormError message={error} />
          <TextField
            label={`Type “${DELETE_PHRASE}” to confirm`}
            value={typed}
            autoComplete="off"
            autoFocus
            onChange={(e) => setTyped(e.target.value)}
          />
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" variant="danger" busy={busy} disabled={typed.trim().toLowerCase() !== DELETE_PHRASE}>
              Delete account
            </Button>
          </div>
        </form>
      </Dialog>
    </Card>
  );
}

export function SettingsPage() {
  const { data: me } = useMe();
  if (!me) return null;
  return (
    <>
      <PageHeader title="Settings" description="Manage your account." />
      <div className="grid items-start gap-6 lg:grid-cols-2">
        {/* keyed by id+email so a save elsewhere (or another user) re-seeds the form */}
        <ProfileSection key={`${me.id}:${me.email}:${me.full_name}`} me={me} />
        <PasswordSection />
        <SecuritySection me={me} />
        <AppearanceSection />
        <DeleteAccountSection me={me} />
        <LinkedAccountsSection />
        <PasskeysSection mfaEnabled={me.mfa_enabled} />
        <DevicesSection />
      </div>
    </>
  );
}
