// The dev mailbox: with ENVIRONMENT=local and no SMTP server, Roster keeps its mail instead of
// sending it, and this page reads it (GET /api/v1/private/emails/, local only), so sign-up,
// verification and password reset can be clicked through on one machine.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useId, useState } from 'react';
import { api, unwrap } from '../api/client';
import { ApiError, errorMessage } from '../api/errors';
import type { paths } from '../api/schema';
import { ConfirmDialog } from '../components/Dialog';
import { Badge, Button, cx, EmptyState, ErrorState, LoadingState } from '../components/ui';
import { formatDateTime } from '../lib/format';
import { toast } from '../lib/toast';

type Mail = paths['/api/v1/private/emails/']['get']['responses'][200]['content']['application/json']['data'][number];

const PAGE_SIZE = 100;

/** The links in a mail's plain-text body, in order, without duplicates. */
export function extractLinks(text: string): string[] {
  const found = text.match(/https?:\/\/[^\s<>"'()]+/g) ?? [];
  return [...new Set(found.map((link) => link.replace(/[.,;:!?]+$/, '')))];
}

/** The HTML body in a sandbox: no scripts, no access to this page; links open in the whole tab. */
function MailHtml({ mail }: { mail: Mail }) {
  return (
    <iframe
      title={`HTML body of “${mail.subject}”`}
      sandbox="allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation"
      srcDoc={`<base target="_top">${mail.html}`}
      className="h-[28rem] w-full rounded-md border border-slate-200 bg-white dark:border-slate-700"
    />
  );
}

function MailView({ mail }: { mail: Mail }) {
  const [tab, setTab] = useState<'html' | 'text'>('html');
  const links = extractLinks(mail.text);
  const tabId = useId();
  return (
    <article aria-labelledby={`${tabId}-subject`} className="space-y-4">
      <header>
        <h2 id={`${tabId}-subject`} className="text-lg font-semibold break-words">
          {mail.subject}
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          To <span className="break-all">{mail.to}</span> · {formatDateTime(mail.created_at)} · {mail.kind}
        </p>
      </header>
      {links.length > 0 && (
        <section aria-label="Links in this email">
          <h3 className="mb-1 text-sm font-semibold">Links</h3>
          <ul className="space-y-1 text-sm">
            {links.map((link) => (
              <li key={link} className="break-all">
                <a href={link}>{link}</a>
              </li>
            ))}
          </ul>
        </section>
      )}
      <div>
        <div role="tablist" aria-label="Email body" className="mb-2 flex gap-1">
          {(['html', 'text'] as const).map((which) => (
            <button
              key={which}
              type="button"
              role="tab"
              id={`${tabId}-${which}`}
              aria-selected={tab === which}
              aria-controls={`${tabId}-panel`}
              onClick={() => setTab(which)}
              className={cx(
                'rounded-md px-3 py-1 text-sm font-medium',
                tab === which
                  ? 'bg-indigo-100 text-indigo-800 dark:bg-indigo-950 dark:text-indigo-300'
                  : 'text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800',
              )}
            >
              {which === 'html' ? 'HTML' : 'Plain text'}
            </button>
          ))}
        </div>
        <div id={`${tabId}-panel`} role="tabpanel" aria-labelledby={`${tabId}-${tab}`}>
          {tab === 'html' ? (
            <MailHtml mail={mail} />
          ) : (
            <pre className="overflow-x-auto rounded-md border border-slate-200 bg-white p-3 text-sm whitespace-pre-wrap dark:border-slate-700 dark:bg-slate-900">
              {mail.text}
            </pre>
          )}
        </div>
      </div>
    </article>
  );
}

export function DevMailboxPage() {
  const queryClient = useQueryClient();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [recipient, setRecipient] = useState('');
  const [confirmEmpty, setConfirmEmpty] = useState(false);
  const filterId = useId();

  const mails = useQuery({
    queryKey: ['dev-mailbox'],
    queryFn: () => unwrap(api.GET('/api/v1/private/emails/', { params: { query: { skip: 0, limit: PAGE_SIZE } } })),
    retry: false,
  });
  const empty = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/private/emails/')),
    onSuccess: async () => {
      setConfirmEmpty(false);
      setSelectedId(null);
      toast.success('Mailbox emptied.');
      await queryClient.invalidateQueries({ queryKey: ['dev-mailbox'] });
    },
    onError: (error) => toast.error(errorMessage(error)),
  });

  const needle = recipient.trim().toLowerCase();
  const shown = (mails.data?.data ?? []).filter((mail) => !needle || mail.to.toLowerCase().includes(needle));
  // Until one is picked, show the newest: usually the one just asked for.
  const selected = shown.find((mail) => mail.id === selectedId) ?? shown[0] ?? null;
  const notLocal = mails.error instanceof ApiError && mails.error.status === 404;

  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-3 px-4 py-3">
          <h1 className="text-lg font-semibold">
            Roster dev mailbox <Badge tone="amber">local only</Badge>
          </h1>
          <Link to="/">Back to the app</Link>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-6xl px-4 py-6">
        <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">
          Mail Roster would have sent. Nothing here leaves this machine.
        </p>
        {mails.isPending ? (
          <LoadingState label="Loading mail…" />
        ) : notLocal ? (
          <EmptyState title="The dev mailbox is off">
            It exists only when Roster runs with ENVIRONMENT=local and no SMTP server; mail is sent for real otherwise.
          </EmptyState>
        ) : mails.isError ? (
          <ErrorState message={errorMessage(mails.error)} onRetry={() => void mails.refetch()} />
        ) : (
          <div className="grid gap-6 lg:grid-cols-[22rem_1fr]">
            <section aria-label="Messages" className="min-w-0">
              <div className="mb-3 flex flex-wrap items-end gap-2">
                <div className="min-w-0 flex-1">
                  <label htmlFor={filterId} className="mb-1 block text-xs font-medium text-slate-600 dark:text-slate-300">
                    Filter by recipient
                  </label>
                  <input
                    id={filterId}
                    type="search"
                    value={recipient}
                    onChange={(e) => setRecipient(e.target.value)}
                    className="block w-full rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm dark:border-slate-600 dark:bg-slate-900"
                  />
                </div>
                <Button variant="secondary" busy={mails.isFetching} onClick={() => void mails.refetch()}>
                  Refresh
                </Button>
                <Button variant="ghostDanger" disabled={mails.data.count === 0} onClick={() => setConfirmEmpty(true)}>
                  Empty
                </Button>
              </div>
              <p className="mb-2 text-xs text-slate-500 dark:text-slate-400">
                {mails.data.count} message{mails.data.count === 1 ? '' : 's'}
                {mails.data.count > PAGE_SIZE ? `, the newest ${PAGE_SIZE} listed` : ''}
              </p>
              {shown.length === 0 ? (
                <EmptyState title={needle ? 'No mail to that address' : 'No mail yet'}>
                  {needle ? null : 'Sign up or ask for a password reset, then refresh.'}
                </EmptyState>
              ) : (
                <ul className="divide-y divide-slate-100 overflow-hidden rounded-lg border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-700 dark:bg-slate-900">
                  {shown.map((mail) => (
                    <li key={mail.id}>
                      <button
                        type="button"
                        aria-current={mail.id === selected?.id || undefined}
                        onClick={() => setSelectedId(mail.id)}
                        className={cx(
                          'block w-full px-4 py-3 text-left hover:bg-slate-50 dark:hover:bg-slate-800',
                          mail.id === selected?.id && 'bg-indigo-50 dark:bg-indigo-950',
                        )}
                      >
                        <span className="block truncate text-sm font-medium">{mail.subject}</span>
                        <span className="block truncate text-xs text-slate-600 dark:text-slate-400">
                          {mail.to} · {formatDateTime(mail.created_at)}
                        </span>
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </section>
            <section aria-label="Message" className="min-w-0">
              {selected ? (
                <MailView key={selected.id} mail={selected} />
              ) : (
                <EmptyState title="Pick a message">Its rendered HTML, plain text and links show here.</EmptyState>
              )}
            </section>
          </div>
        )}
      </main>
      <ConfirmDialog
        open={confirmEmpty}
        title="Empty the mailbox?"
        confirmLabel="Delete all mail"
        busy={empty.isPending}
        onConfirm={() => empty.mutate()}
        onClose={() => setConfirmEmpty(false)}
      >
        <p>Every kept message is deleted. Links in them stop being reachable from here.</p>
      </ConfirmDialog>
    </div>
  );
}
