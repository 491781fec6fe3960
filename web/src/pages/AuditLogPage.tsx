// Admin → Audit log: security events as sentences, newest first, filtered by user, type and
// date, paged by cursor. The raw record (type, address, browser, details) opens on demand.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { api, unwrap } from '../api/client';
import { ApiError, errorMessage } from '../api/errors';
import type { paths } from '../api/schema';
import { displayName } from '../auth/session';
import { Button, DataTable, EmptyState, ErrorState, LoadingState, PageHeader, SelectField, TextField } from '../components/ui';
import { type AuditEventLike, describeEvent, possessive } from '../lib/audit-sentences';
import { formatDateTime } from '../lib/format';
import { oneOf } from '../lib/search';

type AuditQuery = NonNullable<paths['/api/v1/audit-events']['get']['parameters']['query']>;
type EventType = NonNullable<AuditQuery['type']>;

// Keyed by the API's enum: a type added, renamed or removed there fails the type check here.
const EVENT_TYPE_KEYS: Record<EventType, true> = {
  'login.succeeded': true,
  'login.failed': true,
  'login.locked': true,
  'reauth.failed': true,
  'reauth.locked': true,
  'refresh.refused': true,
  'rate_limit.refused': true,
  'password.recovery_requested': true,
  logout: true,
  'refresh.reuse_detected': true,
  'session.revoked': true,
  'password.changed': true,
  'password.reset': true,
  'email.changed': true,
  'email.verified': true,
  'email.restored': true,
  'user.signed_up': true,
  'admin.user_created': true,
  'admin.user_updated': true,
  'admin.user_deleted': true,
  'user.deleted_self': true,
  'private.user_created': true,
  'role.granted': true,
  'role.revoked': true,
  'role.created': true,
  'role.updated': true,
  'role.deleted': true,
  'users.imported': true,
  'identity.linked': true,
  'identity.unlinked': true,
  'passkey.registered': true,
  'passkey.removed': true,
  'passkey.signed_in': true,
  'passkey.failed': true,
  'passkey.clone_suspected': true,
  'mfa.totp_enrolled': true,
  'mfa.totp_disabled': true,
  'mfa.challenge_failed': true,
  'mfa.succeeded': true,
  'mfa.recovery_code_used': true,
  'mfa.recovery_codes_regenerated': true,
  'mfa.reset_by_admin': true,
  'mfa.device_remembered': true,
  'mfa.device_forgotten': true,
  'org.created': true,
  'org.updated': true,
  'org.deleted': true,
  'org.member_added': true,
  'org.member_role_changed': true,
  'org.member_removed': true,
  'org.invitation_sent': true,
  'org.invitation_revoked': true,
  'org.invitation_accepted': true,
  'org.domains_changed': true,
  'webhook.endpoint_created': true,
  'webhook.endpoint_updated': true,
  'webhook.endpoint_deleted': true,
  'webhook.secret_rotated': true,
  'webhook.endpoint_disabled': true,
};
const EVENT_TYPES = Object.keys(EVENT_TYPE_KEYS) as EventType[];

const PAGE_SIZE = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** `since`/`until` are days (YYYY-MM-DD) in the viewer's time zone, both included. */
export type AuditSearch = { type?: EventType; user?: string; since?: string; until?: string };

function day(value: unknown): string | undefined {
  return typeof value === 'string' && DAY.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00`)) ? value : undefined;
}

export function parseAuditSearch(search: Record<string, unknown>): AuditSearch {
  return {
    type: oneOf(search.type, EVENT_TYPES),
    user: typeof search.user === 'string' && UUID.test(search.user) ? search.user : undefined,
    since: day(search.since),
    until: day(search.until),
  };
}

/** The API's `since`/`until` (instants, both included) for whole local days. */
export function dayRange(search: Pick<AuditSearch, 'since' | 'until'>): { since?: string; until?: string } {
  const range: { since?: string; until?: string } = {};
  if (search.since) range.since = new Date(`${search.since}T00:00:00`).toISOString();
  if (search.until) {
    const end = new Date(`${search.until}T00:00:00`);
    end.setDate(end.getDate() + 1);
    range.until = new Date(end.getTime() - 1).toISOString();
  }
  return range;
}

function useUser(id: string | null) {
  return useQuery({
    queryKey: ['user', id],
    queryFn: () => unwrap(api.GET('/api/v1/users/{user_id}', { params: { path: { user_id: id ?? '' } } })),
    enabled: id !== null,
    staleTime: 5 * 60_000,
    retry: false,
  });
}

/** A person in an event's sentence: their name (email on hover); a click shows only their events. */
function UserName({
  id,
  possessive: asPossessive,
  onPick,
}: {
  id: string | null;
  possessive?: boolean;
  onPick: (id: string) => void;
}) {
  const user = useUser(id);
  if (id === null) return <>{asPossessive ? 'an unknown account’s' : 'an unknown account'}</>;
  const gone = user.error instanceof ApiError && user.error.status === 404;
  const name = user.data ? displayName(user.data) : gone ? `a deleted user (${id.slice(0, 8)})` : id.slice(0, 8);
  return (
    <button
      type="button"
      className="font-medium text-indigo-600 hover:underline dark:text-indigo-400"
      title={`Show only the events of ${user.data?.email ?? name}`}
      onClick={() => onPick(id)}
    >
      {asPossessive ? possessive(name) : name}
    </button>
  );
}

function EventSentence({ event, onPick }: { event: AuditEventLike; onPick: (id: string) => void }) {
  return (
    <p>
      {describeEvent(event).map((part, index) =>
        typeof part === 'string' ? (
          <span key={index}>{part}</span>
        ) : (
          <UserName key={index} id={part.user} possessive={part.possessive} onPick={onPick} />
        ),
      )}
    </p>
  );
}

/** The event as recorded, for when the sentence is not enough. */
function RawEvent({ event }: { event: AuditEventLike & { ip: string | null; user_agent: string | null; id: string } }) {
  return (
    <details className="mt-1 text-xs text-slate-600 dark:text-slate-400">
      <summary className="cursor-pointer select-none">Details</summary>
      <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5">
        <dt className="font-semibold">Type</dt>
        <dd className="font-mono">{event.type}</dd>
        <dt className="font-semibold">By</dt>
        <dd className="font-mono break-all">{event.actor_id ?? '—'}</dd>
        <dt className="font-semibold">About</dt>
        <dd className="font-mono break-all">{event.target_id ?? '—'}</dd>
        <dt className="font-semibold">IP</dt>
        <dd>{event.ip ?? '—'}</dd>
        <dt className="font-semibold">Browser</dt>
        <dd className="break-words">{event.user_agent ?? '—'}</dd>
        <dt className="font-semibold">Details</dt>
        <dd>
          <pre className="font-mono whitespace-pre-wrap break-all">{JSON.stringify(event.details, null, 2)}</pre>
        </dd>
      </dl>
    </details>
  );
}

/** Whose events are shown, when the log is narrowed to one person. */
function FilteredUser({ id, onClear }: { id: string; onClear: () => void }) {
  const user = useUser(id);
  const name = user.data ? `${displayName(user.data)} (${user.data.email})` : 'one user';
  return (
    <p className="flex items-center gap-2 text-sm">
      Events of {name}
      <Button variant="secondary" size="sm" onClick={onClear}>
        Show everyone
      </Button>
    </p>
  );
}

export function AuditLogPage({ search, onSearchChange }: { search: AuditSearch; onSearchChange: (next: AuditSearch) => void }) {
  const events = useInfiniteQuery({
    queryKey: ['audit-events', search],
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/audit-events', {
          params: {
            query: {
              limit: PAGE_SIZE,
              ...(search.type ? { type: search.type } : {}),
              ...(search.user ? { user_id: search.user } : {}),
              ...dayRange(search),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = events.data?.pages.flatMap((page) => page.data) ?? [];

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Security events: sign-ins, sessions, password and email changes, admin actions."
        actions={
          <Link to="/admin" search={{ page: 1, size: 10 }}>
            Back to users
          </Link>
        }
      />
      <div className="mb-4 flex flex-wrap items-end gap-3">
        <SelectField
          label="Event"
          value={search.type ?? ''}
          onChange={(e) => onSearchChange({ ...search, type: oneOf(e.target.value, EVENT_TYPES) })}
        >
          <option value="">All events</option>
          {EVENT_TYPES.map((type) => (
            <option key={type} value={type}>
              {type}
            </option>
          ))}
        </SelectField>
        <TextField
          label="From"
          type="date"
          className="[&_label]:text-xs"
          value={search.since ?? ''}
          max={search.until}
          onChange={(e) => onSearchChange({ ...search, since: day(e.target.value) })}
        />
        <TextField
          label="To"
          type="date"
          className="[&_label]:text-xs"
          value={search.until ?? ''}
          min={search.since}
          onChange={(e) => onSearchChange({ ...search, until: day(e.target.value) })}
        />
        {search.user && <FilteredUser id={search.user} onClear={() => onSearchChange({ ...search, user: undefined })} />}
      </div>
      {events.isPending ? (
        <LoadingState label="Loading events…" />
      ) : events.isError ? (
        <ErrorState message={errorMessage(events.error)} onRetry={() => void events.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState title="No events match" />
      ) : (
        <>
          <DataTable caption="Audit events" columns={['When', 'Event']}>
            {rows.map((event) => (
              <tr key={event.id} data-type={event.type}>
                <td className="px-4 py-2 align-top whitespace-nowrap text-slate-600 dark:text-slate-400">
                  {formatDateTime(event.at)}
                </td>
                <td className="px-4 py-2">
                  <div>
                    <EventSentence event={event} onPick={(user) => onSearchChange({ ...search, user })} />
                    <RawEvent event={event} />
                  </div>
                </td>
              </tr>
            ))}
          </DataTable>
          {events.hasNextPage && (
            <div className="mt-4 flex justify-center">
              <Button variant="secondary" busy={events.isFetchingNextPage} onClick={() => void events.fetchNextPage()}>
                Load older events
              </Button>
            </div>
          )}
        </>
      )}
    </>
  );
}
