// Asks for the current password before a change that could take over the account (a new email),
// when the session's sign-in is no longer recent; the caller sends the change again with it.

import { useForm } from '../lib/useForm';
import { required } from '../lib/validation';
import { Dialog } from './Dialog';
import { Button, FormError, TextField } from './ui';

export function PasswordConfirmDialog({
  open,
  title,
  description,
  confirmLabel,
  onConfirm,
  onClose,
}: {
  open: boolean;
  title: string;
  description: string;
  confirmLabel: string;
  /** Sends the change with the password; a refusal (wrong password, locked) is shown in the dialog. */
  onConfirm: (password: string) => Promise<unknown>;
  onClose: () => void;
}) {
  const form = useForm({ current_password: '' }, () => ({ current_password: [required('Current password')] }));

  function close() {
    form.reset();
    onClose();
  }

  const onSubmit = form.handleSubmit(async (values) => {
    await onConfirm(values.current_password);
    form.reset();
  });

  return (
    <Dialog open={open} title={title} onClose={close}>
      <form ref={form.formRef} onSubmit={onSubmit} noValidate className="space-y-4">
        <p className="text-sm text-slate-700 dark:text-slate-300">{description}</p>
        <FormError message={form.formError} />
        <TextField label="Current password" type="password" autoComplete="current-password" {...form.field('current_password')} />
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={close}>
            Cancel
          </Button>
          <Button type="submit" busy={form.submitting}>
            {confirmLabel}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
