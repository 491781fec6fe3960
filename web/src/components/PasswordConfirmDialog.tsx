// Asks for the current password before a change that could take over the account (a new email,
// turning off the second factor, new recovery codes); with `withCode` it also asks for a code
// from the authenticator app (or a recovery code), which the server wants in the same request
// when the account has a second factor. The caller sends the change with what was typed.

import { normalizeCode } from '../lib/mfa';
import { useForm } from '../lib/useForm';
import { required } from '../lib/validation';
import { Dialog } from './Dialog';
import { Button, FormError, TextField } from './ui';

export function PasswordConfirmDialog({
  open,
  title,
  description,
  confirmLabel,
  withCode = false,
  danger = false,
  onConfirm,
  onClose,
}: {
  open: boolean;
  title: string;
  description: string;
  confirmLabel: string;
  withCode?: boolean;
  danger?: boolean;
  /**
   * Sends the change with the password (and the normalised code when `withCode`); a refusal
   * (wrong password or code, locked) is shown in the dialog.
   */
  onConfirm: (password: string, code?: string) => Promise<unknown>;
  onClose: () => void;
}) {
  const form = useForm({ current_password: '', code: '' }, () => ({
    current_password: [required('Current password')],
    code: withCode ? [required('Code')] : [],
  }));

  function close() {
    form.reset();
    onClose();
  }

  const onSubmit = form.handleSubmit(async (values) => {
    await onConfirm(values.current_password, withCode ? normalizeCode(values.code) : undefined);
    form.reset();
  });

  return (
    <Dialog open={open} title={title} onClose={close}>
      <form ref={form.formRef} onSubmit={onSubmit} noValidate className="space-y-4">
        <p className="text-sm text-slate-700 dark:text-slate-300">{description}</p>
        <FormError message={form.formError} />
        <TextField label="Current password" type="password" autoComplete="current-password" {...form.field('current_password')} />
        {withCode && (
          <TextField
            label="Authentication code"
            autoComplete="one-time-code"
            hint="From your authenticator app, or one of your recovery codes."
            {...form.field('code')}
          />
        )}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={close}>
            Cancel
          </Button>
          <Button type="submit" variant={danger ? 'danger' : 'primary'} busy={form.submitting}>
            {confirmLabel}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
