import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useRef, useState } from 'react';
import { api, unwrap } from '../api/client';
import { chooseOrganization, signIn } from '../auth/session';
import { myOrgsKey } from '../components/OrgSwitcher';
import { ProviderButtons } from '../components/ProviderButtons';
import { Button, FormError, TextField } from '../components/ui';
import type { MfaChallenge } from '../lib/mfa';
import { toast } from '../lib/toast';
import { useForm } from '../lib/useForm';
import { email, LIMITS, matches, maxLength, password } from '../lib/validation';
import { MfaSetupStep } from './LoginMfaSteps';

/**
 * `email` fills the address in (an invitation's); `redirectTo` is where to go once signed in.
 * `invitation` is the token of the link the visitor came from: signing up with the invited
 * address accepts it (the server verifies the account and makes it a member), and the
 * visitor lands in the organization instead.
 */
export function SignupPage({
  email: invitedEmail = '',
  redirectTo = '/',
  invitation,
}: {
  email?: string;
  redirectTo?: string;
  invitation?: string;
}) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  // Which organization the invitation is for (the invitation page has usually fetched it already).
  const invited = useQuery({
    queryKey: ['invitation', invitation],
    enabled: Boolean(invitation),
    retry: false,
    queryFn: () => unwrap(api.POST('/api/v1/invitations/preview', { body: { token: invitation ?? '' } })),
  });
  /** Set when the sign-up accepted the invitation (`org`: which one, if the preview said). */
  const joinedRef = useRef<{ org: { id: string; name: string } | null } | null>(null);
  const [setup, setSetup] = useState<{ challenge: Extract<MfaChallenge, { kind: 'setup' }>; email: string } | null>(null);
  const form = useForm({ full_name: '', email: invitedEmail, password: '', confirm: '' }, (values) => ({
    full_name: [maxLength('Full name', LIMITS.nameMax)],
    email: [email],
    password: [password()],
    confirm: [matches(() => values.password)],
  }));

  const onSubmit = form.handleSubmit(async (values) => {
    const created = await unwrap(
      api.POST('/api/v1/users/signup', {
        body: {
          email: values.email.trim(),
          password: values.password,
          full_name: values.full_name.trim() || null,
          ...(invitation ? { invitation_token: invitation } : {}),
        },
      }),
    );
    // A new account is verified only when the sign-up accepted the invitation; its link is spent now.
    joinedRef.current = invitation && created.is_verified ? { org: invited.data?.organization ?? null } : null;
    // The account exists now; sign straight in rather than making people type it all again.
    const result = await signIn(queryClient, values.email, values.password);
    if (result.kind === 'setup') {
      // The server requires a second factor of everyone (MFA_REQUIRED): set it up here.
      setSetup({ challenge: result, email: values.email.trim() });
      return;
    }
    if (result.kind === 'code') {
      // Cannot happen for a new account; if it does, the sign-in page has the second step.
      await navigate({ to: '/login' });
      return;
    }
    await welcome();
  });

  async function welcome() {
    const joined = joinedRef.current;
    if (joined) {
      // Land acting for the organization just joined, as accepting on the invitation page does
      // (not back on that page: its link is spent).
      await queryClient.invalidateQueries({ queryKey: myOrgsKey });
      const { org } = joined;
      if (!org) {
        toast.success('Your account is ready, and you joined the organization.');
        await navigate({ to: '/orgs' });
        return;
      }
      await chooseOrganization(queryClient, org.id).catch(() => {});
      toast.success(`Your account is ready. Welcome to ${org.name}!`);
      await navigate({ to: '/orgs/$orgId', params: { orgId: org.id } });
      return;
    }
    toast.success('Your account is ready. Welcome to Roster!');
    await navigate({ to: redirectTo });
  }

  if (setup) {
    return (
      <MfaSetupStep
        challenge={setup.challenge}
        email={setup.email}
        onSignedIn={welcome}
        onStartOver={() => void navigate({ to: '/login' })}
      />
    );
  }

  return (
    <>
      <h1 className="text-xl font-semibold">Create an account</h1>
      <p className="mt-1 mb-5 text-sm text-slate-600 dark:text-slate-400">It takes a few seconds.</p>
      <form ref={form.formRef} onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={form.formError} />
        <TextField label="Full name (optional)" autoComplete="name" autoFocus {...form.field('full_name')} />
        {/* An invitation's address is the one that can accept it: filled in, still editable. */}
        <TextField label="Email" type="email" autoComplete="email" {...form.field('email')} />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          hint={`${LIMITS.passwordMin} to ${LIMITS.passwordMax} characters.`}
          {...form.field('password')}
        />
        <TextField label="Confirm password" type="password" autoComplete="new-password" {...form.field('confirm')} />
        <Button type="submit" className="w-full" busy={form.submitting}>
          Sign up
        </Button>
      </form>
      <ProviderButtons verb="Sign up" />
      <p className="mt-6 text-center text-sm text-slate-600 dark:text-slate-400">
        Already have an account? <Link to="/login">Sign in</Link>
      </p>
    </>
  );
}
