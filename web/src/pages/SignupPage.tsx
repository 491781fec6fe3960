import { useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { api, unwrap } from '../api/client';
import { signIn } from '../auth/session';
import { ProviderButtons } from '../components/ProviderButtons';
import { Button, FormError, TextField } from '../components/ui';
import { toast } from '../lib/toast';
import { useForm } from '../lib/useForm';
import { email, LIMITS, matches, maxLength, password } from '../lib/validation';

export function SignupPage() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
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
    await signIn(queryClient, values.email, values.password);
    toast.success('Your account is ready. Welcome to Roster!');
    await navigate({ to: '/' });
  });

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
      <ProviderButtons verb="Sign up" />
      <p className="mt-6 text-center text-sm text-slate-600 dark:text-slate-400">
        Already have an account? <Link to="/login">Sign in</Link>
      </p>
    </>
  );
}
