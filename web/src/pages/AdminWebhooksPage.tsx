// Admin → Webhooks: the endpoints Roster signs and POSTs user events to, each one's signing
// secret (shown once, at creation or rotation), a test ping, and the deliveries with a retry.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import { errorMessage } from '../api/errors';
import type { paths } from '../api/schema';
import { ConfirmDialog, Dialog } from '../components/Dialog';
import {
  Badge,
  Button,
  Checkbox,
  DataTable,
  EmptyState,
  ErrorState,
  FormError,
  LoadingState,
  PageHeader,
  TextField,
} from '../components/ui';
import { formatDateTime } from '../lib/format';
import { toast } from '../lib/toast';

type JsonOk<Op> = Op extends { responses: { 200: { content: { 'application/json': infer Body } } } } ? Body : never;
type Endpoint = JsonOk<paths['/api/v1/webhooks/{webhook_id}']['get']>;
type Delivery = JsonOk<paths['/api/v1/webhooks/{webhook_id}/test']['post']>;
type EventType = NonNullable<
  NonNullable<paths['/api/v1/webhooks']['post']['requestBody']>['content']['application/json']['event_types']
>[number];

// Keyed by the API's enum: a type added there fails the type check here until it is listed.
const EVENT_TYPE_KEYS: Record<EventType, true> = {
  'user.created': true,
  'user.updated': true,
  'user.verified': true,
  'user.deactivated': true,
  'user.activated': true,
  'user.deleted': true,
  'user.password_changed': true,
  'user.email_changed': true,
  'session.revoked_all': true,
  'mfa.totp_enrolled': true,
  'mfa.totp_disabled': true,
  'mfa.recovery_codes_regenerated': true,
  'mfa.recovery_code_used': true,
  'mfa.reset_by_admin': true,
  'passkey.registered': true,
  'passkey.removed': true,
  'identity.linked': true,
  'identity.unlinked': true,
  'role.granted': true,
  'role.revoked': true,
  'org.created': true,
  'org.updated': true,
  'org.deleted': true,
  'org.member_added': true,
  'org.member_role_changed': true,
  'org.member_removed': true,
  'org.invitation_accepted': true,
};
const EVENT_TYPES = Object.keys(EVENT_TYPE_KEYS) as EventType[];

const endpointsKey = ['webhooks'] as const;

function StatusBadge({ endpoint }: { endpoint: Endpoint }) {
  if (endpoint.enabled) return <Badge tone="green">Enabled</Badge>;
  const why =
    endpoint.disabled_reason === 'gone' ? ' (410 Gone)' : endpoint.disabled_reason === 'failing' ? ' (failing 5 days)' : '';
  return <Badge tone="red">Disabled{why}</Badge>;
}

function DeliveryBadge({ status }: { status: Delivery['status'] }) {
  const tone = { pending: 'amber', delivered: 'green', failed: 'red' } as const;
  return <Badge tone={tone[status]}>{status}</Badge>;
}

/** The secret, once: the server never shows it again. */
function SecretDialog({ secret, onClose }: { secret: string | null; onClose: () => void }) {
  return (
    <Dialog open={secret !== null} title="Signing secret" onClose={onClose}>
      <p className="mb-3 text-sm text-slate-700 dark:text-slate-300">
        Store it with the receiver now: it is not shown again. Receivers verify each request's <code>webhook-signature</code> with
        it (Standard Webhooks).
      </p>
      <code data-testid="webhook-secret" className="block rounded bg-slate-100 p-2 text-xs break-all dark:bg-slate-800">
        {secret}
      </code>
      <div className="mt-4 flex justify-end gap-2">
        <Button
          variant="secondary"
          onClick={() => void navigator.clipboard?.writeText(secret ?? '').then(() => toast.success('Copied'))}
        >
          Copy
        </Button>
        <Button onClick={onClose}>Done</Button>
      </div>
    </Dialog>
  );
}

function AddEndpointDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (secret: string) => void;
}) {
  const queryClient = useQueryClient();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [types, setTypes] = useState<EventType[]>([]);
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/webhooks', {
          body: { url, description: description.trim() || null, event_types: types.length > 0 ? types : null, enabled: true },
        }),
      ),
    onSuccess: async (created) => {
      await queryClient.invalidateQueries({ queryKey: endpointsKey });
      setUrl('');
      setDescription('');
      setTypes([]);
      onCreated(created.secret);
    },
  });
  return (
    <Dialog open={open} title="Add endpoint" onClose={onClose}>
      <form
        className="space-y-4"
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate();
        }}
      >
        <TextField label="URL" type="url" required value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://…" />
        <TextField label="Description" value={description} maxLength={500} onChange={(e) => setDescription(e.target.value)} />
        <fieldset>
          <legend className="mb-1 text-sm font-medium text-slate-700 dark:text-slate-200">Events (none checked: all)</legend>
          <div className="grid grid-cols-1 gap-1 sm:grid-cols-2">
            {EVENT_TYPES.map((type) => (
              <Checkbox
                key={type}
                label={type}
                checked={types.includes(type)}
                onChange={(e) => setTypes((now) => (e.target.checked ? [...now, type] : now.filter((t) => t !== type)))}
              />
            ))}
          </div>
        </fieldset>
        <FormError message={create.error ? errorMessage(create.error) : null} />
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" busy={create.isPending}>
            Add endpoint
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function Deliveries({ endpoint }: { endpoint: Endpoint }) {
  const queryClient = useQueryClient();
  const key = ['webhook-deliveries', endpoint.id];
  const deliveries = useQuery({
    queryKey: key,
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/webhooks/{webhook_id}/deliveries', {
          params: { path: { webhook_id: endpoint.id }, query: { limit: 50 } },
        }),
      ),
    // Delivery happens in the background: follow it.
    refetchInterval: 2000,
  });
  const retry = useMutation({
    mutationFn: (delivery: Delivery) =>
      unwrap(
        api.POST('/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry', {
          params: { path: { webhook_id: endpoint.id, delivery_id: delivery.id } },
        }),
      ),
    onSuccess: () => {
      toast.success('Sending again');
      void queryClient.invalidateQueries({ queryKey: key });
    },
    onError: (error) => toast.error(errorMessage(error)),
  });
  if (deliveries.isPending) return <LoadingState label="Loading deliveries…" />;
  if (deliveries.isError)
    return <ErrorState message={errorMessage(deliveries.error)} onRetry={() => void deliveries.refetch()} />;
  if (deliveries.data.count === 0) return <EmptyState title="No deliveries yet">Send a test ping to see one.</EmptyState>;
  return (
    <DataTable
      caption={`Deliveries to ${endpoint.url}`}
      columns={['Event', 'Status', 'Attempts', 'Last response', 'When']}
      actions
    >
      {deliveries.data.data.map((delivery) => (
        <tr key={delivery.id}>
          <td className="px-4 py-3 font-mono text-xs">{delivery.event_type}</td>
          <td className="px-4 py-3">
            <DeliveryBadge status={delivery.status} />
          </td>
          <td className="px-4 py-3">{delivery.attempts}</td>
          <td className="px-4 py-3 text-xs">{delivery.last_status_code ?? delivery.last_error ?? '—'}</td>
          <td className="px-4 py-3 text-xs">
            {delivery.next_attempt_at
              ? `next ${formatDateTime(delivery.next_attempt_at)}`
              : formatDateTime(delivery.last_attempt_at ?? delivery.created_at)}
          </td>
          <td className="px-4 py-3 text-right">
            <Button
              size="sm"
              variant="ghost"
              busy={retry.isPending && retry.variables?.id === delivery.id}
              onClick={() => retry.mutate(delivery)}
            >
              Retry
            </Button>
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

export function AdminWebhooksPage() {
  const queryClient = useQueryClient();
  const [adding, setAdding] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Endpoint | null>(null);
  const endpoints = useQuery({
    queryKey: endpointsKey,
    queryFn: () => unwrap(api.GET('/api/v1/webhooks', { params: { query: {} } })),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: endpointsKey });

  const ping = useMutation({
    mutationFn: (endpoint: Endpoint) =>
      unwrap(api.POST('/api/v1/webhooks/{webhook_id}/test', { params: { path: { webhook_id: endpoint.id } } })),
    onSuccess: (_, endpoint) => {
      toast.success('Test ping queued');
      setSelected(endpoint.id);
      void queryClient.invalidateQueries({ queryKey: ['webhook-deliveries', endpoint.id] });
    },
    onError: (error) => toast.error(errorMessage(error)),
  });
  const rotate = useMutation({
    mutationFn: (endpoint: Endpoint) =>
      unwrap(api.POST('/api/v1/webhooks/{webhook_id}/rotate-secret', { params: { path: { webhook_id: endpoint.id } } })),
    onSuccess: (rotated) => {
      setSecret(rotated.secret);
      void refresh();
    },
    onError: (error) => toast.error(errorMessage(error)),
  });
  const toggle = useMutation({
    mutationFn: (endpoint: Endpoint) =>
      unwrap(
        api.PATCH('/api/v1/webhooks/{webhook_id}', {
          params: { path: { webhook_id: endpoint.id } },
          body: { enabled: !endpoint.enabled },
        }),
      ),
    onSuccess: () => void refresh(),
    onError: (error) => toast.error(errorMessage(error)),
  });
  const remove = useMutation({
    mutationFn: (endpoint: Endpoint) =>
      unwrap(api.DELETE('/api/v1/webhooks/{webhook_id}', { params: { path: { webhook_id: endpoint.id } } })),
    onSuccess: async (_, endpoint) => {
      setDeleting(null);
      if (selected === endpoint.id) setSelected(null);
      await refresh();
    },
    onError: (error) => toast.error(errorMessage(error)),
  });

  const chosen = endpoints.data?.data.find((endpoint) => endpoint.id === selected) ?? null;

  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Signed user events, POSTed to your endpoints as they happen (Standard Webhooks)."
        actions={
          <div className="flex items-center gap-4">
            <Link to="/admin" search={{ page: 1, size: 10 }}>
              Users
            </Link>
            <Button onClick={() => setAdding(true)}>Add endpoint</Button>
          </div>
        }
      />
      {endpoints.isPending && <LoadingState label="Loading endpoints…" />}
      {endpoints.isError && <ErrorState message={errorMessage(endpoints.error)} onRetry={() => void endpoints.refetch()} />}
      {endpoints.data && endpoints.data.count === 0 && (
        <EmptyState title="No endpoints">Add one to receive user events.</EmptyState>
      )}
      {endpoints.data && endpoints.data.count > 0 && (
        <DataTable caption="Webhook endpoints" columns={['URL', 'Events', 'Status']} actions>
          {endpoints.data.data.map((endpoint) => (
            <tr key={endpoint.id} aria-selected={endpoint.id === selected}>
              <td className="px-4 py-3">
                <div className="font-medium break-all">{endpoint.url}</div>
                {endpoint.description && <div className="text-xs text-slate-500">{endpoint.description}</div>}
              </td>
              <td className="px-4 py-3 text-xs">{endpoint.event_types?.join(', ') ?? 'All events'}</td>
              <td className="px-4 py-3">
                <StatusBadge endpoint={endpoint} />
              </td>
              <td className="px-4 py-3 text-right whitespace-nowrap">
                <Button size="sm" variant="ghost" onClick={() => setSelected(endpoint.id)}>
                  Deliveries
                </Button>
                <Button
                  size="sm"
                  variant="ghost"
                  busy={ping.isPending && ping.variables?.id === endpoint.id}
                  onClick={() => ping.mutate(endpoint)}
                >
                  Send test
                </Button>
                <Button size="sm" variant="ghost" onClick={() => rotate.mutate(endpoint)}>
                  Rotate secret
                </Button>
                <Button size="sm" variant="ghost" onClick={() => toggle.mutate(endpoint)}>
                  {endpoint.enabled ? 'Disable' : 'Enable'}
                </Button>
                <Button size="sm" variant="ghostDanger" onClick={() => setDeleting(endpoint)}>
                  Delete
                </Button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {chosen && (
        <section className="mt-8" aria-label="Deliveries">
          <h2 className="mb-3 text-lg font-semibold text-slate-900 dark:text-white">Deliveries to {chosen.url}</h2>
          <Deliveries endpoint={chosen} />
        </section>
      )}
      <AddEndpointDialog
        open={adding}
        onClose={() => setAdding(false)}
        onCreated={(created) => {
          setAdding(false);
          setSecret(created);
        }}
      />
      <SecretDialog secret={secret} onClose={() => setSecret(null)} />
      <ConfirmDialog
        open={deleting !== null}
        title="Delete endpoint"
        confirmLabel="Delete"
        busy={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
        onClose={() => setDeleting(null)}
      >
        <p>Delete {deleting?.url}? Its undelivered events are dropped.</p>
      </ConfirmDialog>
    </>
  );
}
