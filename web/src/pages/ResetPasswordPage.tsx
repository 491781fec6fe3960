import { Link, useNavigate } from '@tanstack/react-router';
import { api, unwrap } from '../api/client';
import { ApiError } from '../api/errors';
import { Button, FormError, TextField } from '../components/ui';
import { toast } from '../lib/toast';
import { useForm } from '../lib/useForm';
import { LIMITS, matches, password } from '../lib/validation';

export function ResetPasswordPage({ token }: { token?: string }) {
  const navigate = useNavigate();
  const form = useForm({ new_password: '', confirm: '' }, (values) => ({
    new_password: [password('New password')],
    confirm: [matches(() => values.new_password)],
  }));

  const onSubmit = form.handleSubmit(async ({ new_password }) => {
    try {
      await unwrap(api.POST('/api/v1/reset-password/', { body: { token: token ?? '', new_password } }));
    } catch (error) {
      // "Invalid token" alone does not tell people what to do next.
      if (error instanceof ApiError && error.detail === 'Invalid token') {
        throw new Error('Invalid token: this reset link has expired or was already used. Request a new one below.');
      }
      throw error;
    }
    toast.success('Password updated. Sign in with your new password.');
    await navigate({ to: '/login' });
  });

  if (!token) {
    return (
      <>
        <h1 className="text-xl font-semibold">Reset password</h1>
        <p role="alert" className="mt-3 text-sm text-slate-700 dark:text-slate-300">
          This page needs the link from your password reset email, and this address has no token in it.
        </p>
        <p className="mt-6 text-center text-sm">
          <Link to="/recover-password">Request a new link</Link>
        </p>
      </>
    );
  }

  return (
    <>
      <h1 className="text-xl font-semibold">Choose a new password</h1>
      <p className="mt-1 mb-5 text-sm text-slate-600 dark:text-slate-400">
        {LIMITS.passwordMin} to {LIMITS.passwordMax} characters.
      </p>
      <form ref={form.formRef} onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={form.formError} />
        <TextField label="New password" type="password" autoComplete="new-password" autoFocus {...form.field('new_password')} />
        <TextField label="Confirm new password" type="password" autoComplete="new-password" {...form.field('confirm')} />
        <Button type="submit" className="w-full" busy={form.submitting}>
          Reset password
        </Button>
      </form>
      <p className="mt-6 text-center text-sm">
        <Link to="/recover-password">Request a new link</Link>
      </p>
    </>
  );
}
