import { useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import { signIn } from '../auth/session';
import { Button, FormError, TextField } from '../components/ui';
import type { MfaChallenge } from '../lib/mfa';
import { toast } from '../lib/toast';
import { useForm } from '../lib/useForm';
import { email, LIMITS, matches, maxLength, password } from '../lib/validation';
import { MfaSetupStep } from './LoginMfaSteps';

export function SignupPage() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [setup, setSetup] = useState<{ challenge: Extract<MfaChallenge, { kind: 'setup' }>; email: string } | null>(null);
  const form = useForm({ full_name: '', email: '', password: '', confirm: '' }, (values) => ({
    full_name: [maxLength('Full name', LIMITS.nameMax)],
    email: [email],
    password: [password()],
    confirm: [matches(() => values.password)],
  }));

  const onSubmit = form.handleSubmit(async (values) => {
    await unwrap(
      api.POST('/api/v1/users/signup', {
        body: { email: values.email.trim(), password: values.password, full_name: values.full_name.trim() || null },
      }),
    );
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
    toast.success('Your account is ready. Welcome to Roster!');
    await navigate({ to: '/' });
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
      <p className="mt-6 text-center text-sm text-slate-600 dark:text-slate-400">
        Already have an account? <Link to="/login">Sign in</Link>
      </p>
    </>
  );
}
