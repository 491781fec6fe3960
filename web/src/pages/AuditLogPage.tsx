// Admin → Audit log: security events, newest first, filtered by user and type, paged by cursor.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { api, unwrap } from '../api/client';
import { ApiError, errorMessage } from '../api/errors';
import type { paths } from '../api/schema';
import { Button, DataTable, EmptyState, ErrorState, LoadingState, PageHeader, SelectField } from '../components/ui';
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
  'users.imported': true,
};
const EVENT_TYPES = Object.keys(EVENT_TYPE_KEYS) as EventType[];

const PAGE_SIZE = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type AuditSearch = { type?: EventType; user?: string };

export function parseAuditSearch(search: Record<string, unknown>): AuditSearch {
  return {
    type: oneOf(search.type, EVENT_TYPES),
    user: typeof search.user === 'string' && UUID.test(search.user) ? search.user : undefined,
  };
}

/** A user id shown as its email when the account still exists. */
function UserLabel({ id, onPick }: { id: string | null; onPick: (id: string) => void }) {
  const user = useQuery({
    queryKey: ['user', id],
    queryFn: () => unwrap(api.GET('/api/v1/users/{user_id}', { params: { path: { user_id: id ?? '' } } })),
    enabled: id !== null,
    staleTime: 5 * 60_000,
    retry: false,
  });
  if (id === null) return <span className="text-slate-400">—</span>;
  const gone = user.error instanceof ApiError && user.error.status === 404;
  const label = user.data?.email ?? (gone ? `deleted user ${id.slice(0, 8)}` : id.slice(0, 8));
  return (
    <button
      type="button"
      className="text-left text-indigo-600 hover:underline dark:text-indigo-400"
      title={`Show events of ${label}`}
      onClick={() => onPick(id)}
    >
      {label}
    </button>
  );
}

function formatDetails(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
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
        {search.user && (
          <p className="flex items-center gap-2 text-sm">
            For one user only
            <Button variant="secondary" size="sm" onClick={() => onSearchChange({ ...search, user: undefined })}>
              Show everyone
            </Button>
          </p>
        )}
      </div>
      {events.isPending ? (
        <LoadingState label="Loading events…" />
      ) : events.isError ? (
        <ErrorState message={errorMessage(events.error)} onRetry={() => void events.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState title="No events match" />
      ) : (
        <>
          <DataTable caption="Audit events" columns={['When', 'Event', 'By', 'About', 'IP', 'Details']}>
            {rows.map((event) => (
              <tr key={event.id} data-type={event.type}>
                <td className="px-4 py-2 whitespace-nowrap text-slate-600 dark:text-slate-400">{formatDateTime(event.at)}</td>
                <td className="px-4 py-2 font-mono text-xs whitespace-nowrap">{event.type}</td>
                <td className="px-4 py-2">
                  <UserLabel id={event.actor_id} onPick={(user) => onSearchChange({ ...search, user })} />
                </td>
                <td className="px-4 py-2">
                  <UserLabel id={event.target_id} onPick={(user) => onSearchChange({ ...search, user })} />
                </td>
                <td className="px-4 py-2 whitespace-nowrap text-slate-600 dark:text-slate-400">{event.ip ?? '—'}</td>
                <td className="px-4 py-2 text-xs text-slate-600 break-words dark:text-slate-400">
                  {formatDetails(event.details) || '—'}
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
