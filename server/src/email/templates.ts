/**
 * The emails Roster sends: subject, HTML and plain text. The HTML is one narrow
 * column with inline styles (what phone mail clients render reliably); every
 * interpolated value is escaped.
 */

export interface EmailContent {
  subject: string;
  html: string;
  text: string;
}

export interface BrandInfo {
  projectName: string;
  frontendHost: string;
}

export function resetPasswordEmail(brand: BrandInfo, email: string, token: string, validHours: number): EmailContent {
  const link = `${brand.frontendHost}/reset-password?token=${encodeURIComponent(token)}`;
  return {
    subject: `${brand.projectName} - Password recovery for user ${email}`,
    ...layout(brand, {
      heading: 'Reset your password',
      paragraphs: [
        `We received a request to reset the password of ${email}.`,
        `The link below is valid for ${validHours} hours.`,
      ],
      action: { label: 'Reset password', link },
      footer: 'If you did not ask for this, you can ignore this email: your password stays as it is.',
    }),
  };
}

/** To a user an administrator created; with a verification link when the address is not yet verified. */
export function newAccountEmail(brand: BrandInfo, email: string, verifyToken: string | null, validHours: number): EmailContent {
  const paragraphs = [`An account was created for ${email}.`, 'Sign in with the password you were given.'];
  if (verifyToken) paragraphs.push(`Please confirm this address with the link below (valid for ${validHours} hours).`);
  return {
    subject: `${brand.projectName} - New account for user ${email}`,
    ...layout(brand, {
      heading: `Welcome to ${brand.projectName}`,
      paragraphs,
      action: verifyToken
        ? { label: 'Confirm email address', link: verifyLink(brand, verifyToken) }
        : { label: `Go to ${brand.projectName}`, link: brand.frontendHost },
    }),
  };
}

export function verifyEmail(brand: BrandInfo, email: string, token: string, validHours: number): EmailContent {
  return {
    subject: `${brand.projectName} - Verify your email ${email}`,
    ...layout(brand, {
      heading: 'Confirm your email address',
      paragraphs: [`Please confirm that ${email} is your address.`, `The link below is valid for ${validHours} hours.`],
      action: { label: 'Confirm email address', link: verifyLink(brand, token) },
      footer: 'If you did not sign up or change your email, you can ignore this email.',
    }),
  };
}

/**
 * To the old address when an account's email changes: the owner learns of it even if it was not them.
 * With `restore` (a change the user made themselves), a link that puts the old address back and signs
 * out everywhere: a stolen session must not be able to take the account for good.
 */
export function emailChangedNotice(
  brand: BrandInfo,
  oldEmail: string,
  newEmail: string,
  restore?: { token: string; validDays: number },
): EmailContent {
  return {
    subject: `${brand.projectName} - Your email address was changed`,
    ...layout(brand, {
      heading: 'Your email address was changed',
      paragraphs: restore
        ? [
            `The account that used ${oldEmail} now uses ${newEmail}.`,
            `If you did not make this change, the link below (valid for ${restore.validDays} days) puts ${oldEmail} back and signs out every session; then reset your password.`,
          ]
        : [`The account that used ${oldEmail} now uses ${newEmail}.`],
      action: restore
        ? {
            label: 'Restore my email address',
            link: `${brand.frontendHost}/restore-email?token=${encodeURIComponent(restore.token)}`,
          }
        : undefined,
      footer: restore
        ? 'If you made this change, you can ignore this email.'
        : `If you did not make this change, reset your password and contact the ${brand.projectName} administrators.`,
    }),
  };
}

/** To the owner after their password changed, by any route: a change they did not make is their cue to act. */
export function passwordChangedNotice(brand: BrandInfo, email: string, how: 'changed' | 'reset' | 'set_by_admin'): EmailContent {
  const what = {
    changed: 'was changed from your account settings',
    reset: 'was reset with a link sent to this address',
    set_by_admin: 'was set by an administrator',
  }[how];
  return {
    subject: `${brand.projectName} - Your password was changed`,
    ...layout(brand, {
      heading: 'Your password was changed',
      paragraphs: [`The password of ${email} ${what}.`, 'Other sessions of the account were signed out.'],
      action: { label: 'Reset my password', link: `${brand.frontendHost}/recover-password` },
      footer: `If you made this change, you can ignore this email. If not, reset your password now and contact the ${brand.projectName} administrators.`,
    }),
  };
}

/** What happened to an account's second factor, for the owner's notice. */
export type MfaChange = 'totp_enrolled' | 'totp_disabled' | 'reset_by_admin' | 'recovery_code_used';

/** To the owner when their second factor changes or a recovery code is used: a change they did not make is their cue to act. */
export function mfaChangedNotice(brand: BrandInfo, email: string, change: MfaChange, recoveryCodesLeft?: number): EmailContent {
  const notice = {
    totp_enrolled: {
      subject: 'Two-factor authentication turned on',
      paragraphs: [`An authenticator app now protects ${email}: signing in asks for its code after the password.`],
    },
    totp_disabled: {
      subject: 'Two-factor authentication turned off',
      paragraphs: [`The authenticator app of ${email} was removed: signing in no longer asks for a code.`],
    },
    reset_by_admin: {
      subject: 'Two-factor authentication was reset',
      paragraphs: [
        `An administrator removed every second factor of ${email} and signed out all its sessions.`,
        'You can turn two-factor authentication on again in your account settings.',
      ],
    },
    recovery_code_used: {
      subject: 'A recovery code was used',
      paragraphs: [
        `A recovery code was used to sign in to ${email}; it no longer works.`,
        `${recoveryCodesLeft ?? 0} recovery code${recoveryCodesLeft === 1 ? ' is' : 's are'} left. You can make a new set in your account settings.`,
      ],
    },
  }[change];
  return {
    subject: `${brand.projectName} - ${notice.subject}`,
    ...layout(brand, {
      heading: notice.subject,
      paragraphs: notice.paragraphs,
      action: { label: 'Review my account', link: `${brand.frontendHost}/settings` },
      footer: `If this was not you, reset your password now and contact the ${brand.projectName} administrators.`,
    }),
  };
}

/** An invitation to join an organization; the link leads to the web app's landing page (sign in or sign up, then accept). */
export function orgInvitationEmail(
  brand: BrandInfo,
  invite: { email: string; orgName: string; role: string; inviter: string | null; token: string; validDays: number },
): EmailContent {
  const who = invite.inviter ? `${invite.inviter} invited you` : 'You were invited';
  return {
    subject: `${brand.projectName} - Join ${invite.orgName}`,
    ...layout(brand, {
      heading: `Join ${invite.orgName}`,
      paragraphs: [
        `${who} to join ${invite.orgName} on ${brand.projectName} as ${invite.role === 'admin' ? 'an admin' : `a ${invite.role}`}.`,
        `Sign in, or create an account with ${invite.email}, then accept. The link below is valid for ${invite.validDays} days and works once.`,
      ],
      action: {
        label: 'Accept the invitation',
        link: `${brand.frontendHost}/invitation?token=${encodeURIComponent(invite.token)}`,
      },
      footer: 'If you did not expect this invitation, you can ignore this email.',
    }),
  };
}

/** To the owner when a passkey is added: one they did not add is someone else's way into the account. */
export function passkeyAddedNotice(brand: BrandInfo, email: string, passkeyName: string): EmailContent {
  return {
    subject: `${brand.projectName} - A passkey was added to your account`,
    ...layout(brand, {
      heading: 'A passkey was added',
      paragraphs: [
        `The passkey "${passkeyName}" was added to ${email}. It can now sign in to the account without the password.`,
        'You can see and remove your passkeys in Settings.',
      ],
      action: { label: 'Review my passkeys', link: `${brand.frontendHost}/settings` },
      footer: `If you did not add it, remove it, change your password and contact the ${brand.projectName} administrators.`,
    }),
  };
}

/** To the owner when a passkey is removed, by them or by an administrator. */
export function passkeyRemovedNotice(brand: BrandInfo, email: string, passkeyName: string, byAdmin: boolean): EmailContent {
  return {
    subject: `${brand.projectName} - A passkey was removed from your account`,
    ...layout(brand, {
      heading: 'A passkey was removed',
      paragraphs: [
        `The passkey "${passkeyName}" was removed from ${email}${byAdmin ? ' by an administrator' : ''}. It can no longer sign in.`,
      ],
      action: { label: 'Review my passkeys', link: `${brand.frontendHost}/settings` },
      footer: `If you did not expect this, change your password and contact the ${brand.projectName} administrators.`,
    }),
  };
}

function verifyLink(brand: BrandInfo, token: string): string {
  return `${brand.frontendHost}/verify-email?token=${encodeURIComponent(token)}`;
}

/** To every active superuser when an endpoint has failed for days and was disabled. */
export function webhookDisabledNotice(brand: BrandInfo, url: string, failingSince: Date): EmailContent {
  return {
    subject: `${brand.projectName} - A webhook endpoint was disabled`,
    ...layout(brand, {
      heading: 'A webhook endpoint was disabled',
      paragraphs: [
        `Every delivery to ${url} has failed since ${failingSince.toISOString()}, so ${brand.projectName} stopped sending to it.`,
        'Its undelivered events are kept: enable the endpoint again once it answers, and they are sent.',
      ],
      action: { label: 'Open the webhooks page', link: `${brand.frontendHost}/admin/webhooks` },
    }),
  };
}

export function testEmail(brand: BrandInfo): EmailContent {
  return {
    subject: `${brand.projectName} - Test email`,
    ...layout(brand, {
      heading: 'Test email',
      paragraphs: [`If you can read this, ${brand.projectName} can send email.`],
    }),
  };
}

interface Body {
  heading: string;
  paragraphs: string[];
  action?: { label: string; link: string };
  footer?: string;
}

function layout(brand: BrandInfo, body: Body): { html: string; text: string } {
  const paragraphHtml = body.paragraphs
    .map((p) => `<p style="margin:0 0 16px;font-size:16px;line-height:24px">${escapeHtml(p)}</p>`)
    .join('');
  const actionHtml = body.action
    ? `<p style="margin:24px 0"><a href="${escapeHtml(body.action.link)}" style="display:inline-block;background:#2563eb;color:#ffffff;text-decoration:none;padding:12px 20px;border-radius:6px;font-weight:600">${escapeHtml(body.action.label)}</a></p>
<p style="margin:0 0 16px;font-size:13px;color:#555555;word-break:break-all">Or paste this link into your browser: ${escapeHtml(body.action.link)}</p>`
    : '';
  const footerHtml = body.footer ? `<p style="margin:24px 0 0;font-size:13px;color:#555555">${escapeHtml(body.footer)}</p>` : '';
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(body.heading)}</title></head>
<body style="margin:0;padding:0;background:#f4f4f5;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#18181b">
<div style="max-width:560px;margin:0 auto;padding:24px 16px">
<div style="background:#ffffff;border-radius:8px;padding:24px">
<p style="margin:0 0 8px;font-size:14px;color:#555555">${escapeHtml(brand.projectName)}</p>
<h1 style="margin:0 0 16px;font-size:22px;line-height:28px">${escapeHtml(body.heading)}</h1>
${paragraphHtml}${actionHtml}${footerHtml}
</div></div></body></html>`;
  const text = [
    brand.projectName,
    '',
    body.heading,
    '',
    ...body.paragraphs,
    ...(body.action ? ['', `${body.action.label}: ${body.action.link}`] : []),
    ...(body.footer ? ['', body.footer] : []),
    '',
  ].join('\n');
  return { html, text };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
