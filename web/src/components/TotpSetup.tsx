// Setting up an authenticator app: scan the QR code (or type the secret), then prove it works
// with a first code. Used in Settings and at sign-in when the server requires a second factor.
import { groupSecret, otpauthIssuer, svgDataUrl, TOTP_DIGITS, totpCodeCheck } from '../lib/mfa';
import { toast } from '../lib/toast';
import { useForm } from '../lib/useForm';
import { Button, FormError, TextField } from './ui';

export type TotpEnrolment = { secret: string; otpauth_uri: string; qr_svg: string };

export function TotpSetup({
  enrolment,
  confirmLabel = 'Turn on',
  onConfirm,
  onCancel,
}: {
  enrolment: TotpEnrolment;
  confirmLabel?: string;
  /** Sends the first code; a refusal (wrong or expired code) is shown in the form. */
  onConfirm: (code: string) => Promise<unknown>;
  onCancel: () => void;
}) {
  const form = useForm({ code: '' }, () => ({ code: [totpCodeCheck] }));
  const issuer = otpauthIssuer(enrolment.otpauth_uri);
  const onSubmit = form.handleSubmit(({ code }) => onConfirm(code));

  async function copySecret() {
    try {
      await navigator.clipboard.writeText(enrolment.secret);
      toast.success('Secret copied.');
    } catch {
      toast.error('Could not copy. Select the secret and copy it yourself.');
    }
  }

  return (
    // A container query, not the viewport: the same setup sits in the narrow sign-in card and in Settings.
    <div className="@container space-y-4">
      <ol className="list-decimal space-y-1 pl-5 text-sm text-slate-700 dark:text-slate-300">
        <li>Open an authenticator app (for example 1Password, Google Authenticator, Aegis or your password manager).</li>
        <li>Scan the QR code, or type the secret below{issuer ? ` and name the entry “${issuer}”` : ''}.</li>
        <li>Enter the {TOTP_DIGITS}-digit code the app shows.</li>
      </ol>
      <div className="flex flex-col items-start gap-4 @lg:flex-row">
        <img
          src={svgDataUrl(enrolment.qr_svg)}
          alt="QR code to scan with your authenticator app"
          width={176}
          height={176}
          className="h-44 w-44 shrink-0 rounded-md border border-slate-200 bg-white p-2 dark:border-slate-700"
        />
        <div className="min-w-0 space-y-2 text-sm">
          <p className="text-slate-600 dark:text-slate-400">Can’t scan? Type this secret into the app (time-based, 6 digits):</p>
          <p
            data-totp-secret=""
            className="rounded-md bg-slate-100 px-3 py-2 font-mono text-base tracking-wide break-all select-all dark:bg-slate-800"
          >
            {groupSecret(enrolment.secret)}
          </p>
          <div>
            <Button variant="secondary" size="sm" onClick={() => void copySecret()}>
              Copy secret
            </Button>
          </div>
        </div>
      </div>
      <form ref={form.formRef} onSubmit={onSubmit} noValidate className="max-w-xs space-y-4">
        <FormError message={form.formError} />
        <TextField
          label="Code from the app"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={12}
          {...form.field('code')}
        />
        <div className="flex flex-wrap gap-2">
          <Button type="submit" busy={form.submitting}>
            {confirmLabel}
          </Button>
          <Button variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      </form>
    </div>
  );
}
