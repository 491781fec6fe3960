import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import { Button, FormError, TextField } from '../components/ui';
import { useDevMailbox } from '../lib/dev-mailbox';
import { useForm } from '../lib/useForm';
import { email } from '../lib/validation';

export function RecoverPasswordPage() {
  const [sentMessage, setSentMessage] = useState<string | null>(null);
  const form = useForm({ email: '' }, () => ({ email: [email] }));
  const mailbox = useDevMailbox();

  const onSubmit = form.handleSubmit(async ({ email: address }) => {
    // The answer is the same whether or not the address has an account, so the page cannot
    // be used to find out who is registered. We show the server's own wording.
    const result = await unwrap(api.POST('/api/v1/password-recovery/{email}', { params: { path: { email: address.trim() } } }));
    setSentMessage(result.message);
  });

  if (sentMessage) {
    return (
      <>
        <h1 className="text-xl font-semibold">Check your email</h1>
        <p role="status" className="mt-3 text-sm text-slate-700 dark:text-slate-300">
          {sentMessage}.
        </p>
        <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">The link in it lets you choose a new password.</p>
        {mailbox && (
          <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
            Running locally, mail is kept here: <a href={mailbox}>open the dev mailbox</a>.
          </p>
        )}
        <p className="mt-6 text-center text-sm">
          <Link to="/login">Back to sign in</Link>
        </p>
      </>
    );
  }

  return (
    <>
      <h1 className="text-xl font-semibold">Forgot your password?</h1>
      <p className="mt-1 mb-5 text-sm text-slate-600 dark:text-slate-400">
        Enter your email and we will send you a link to reset it.
      </p>
      <form ref={form.formRef} onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={form.formError} />
        <TextField label="Email" type="email" autoComplete="email" autoFocus {...form.field('email')} />
        <Button type="submit" className="w-full" busy={form.submitting}>
          Send reset link
        </Button>
      </form>
      <p className="mt-6 text-center text-sm">
        <Link to="/login">Back to sign in</Link>
      </p>
    </>
  );
}
