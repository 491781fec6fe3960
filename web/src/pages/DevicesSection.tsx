// Settings → Devices: the caller's active sessions, with a way to end any but this one.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { errorMessage } from '../api/errors';
import { Badge, Button, Card, ErrorState, LoadingState } from '../components/ui';
import { describeDevice } from '../lib/device';
import { formatDateTime } from '../lib/format';
import { toast } from '../lib/toast';

const sessionsKey = ['my-sessions'];

export function DevicesSection() {
  const queryClient = useQueryClient();
  const sessions = useQuery({
    queryKey: sessionsKey,
    queryFn: () => unwrap(api.GET('/api/v1/users/me/sessions')),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: sessionsKey });

  const endOne = useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE('/api/v1/users/me/sessions/{session_id}', { params: { path: { session_id: id } } })),
    onSuccess: async () => {
      toast.success('That device is signed out.');
      await refresh();
    },
    onError: (error) => toast.error(errorMessage(error)),
  });
  const endOthers = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/users/me/sessions')),
    onSuccess: async () => {
      toast.success('Every other device is signed out.');
      await refresh();
    },
    onError: (error) => toast.error(errorMessage(error)),
  });

  const list = sessions.data?.data ?? [];
  const others = list.filter((session) => !session.current).length;

  return (
    <Card aria-labelledby="devices-title" className="lg:col-span-2">
      <div className="mb-4 flex flex-wrap items-start justify-between gap-3">
        <div>
          <h2 id="devices-title" className="text-lg font-semibold">
            Devices
          </h2>
          <p className="mt-0.5 text-sm text-slate-600 dark:text-slate-400">
            Where your account is signed in. Signing a device out ends its session at once.
          </p>
        </div>
        {others > 0 && (
          <Button variant="secondary" busy={endOthers.isPending} onClick={() => endOthers.mutate()}>
            Sign out all other devices
          </Button>
        )}
      </div>
      {sessions.isPending ? (
        <LoadingState label="Loading devices…" />
      ) : sessions.isError ? (
        <ErrorState message={errorMessage(sessions.error)} onRetry={() => void sessions.refetch()} />
      ) : (
        <ul aria-label="Signed-in devices" className="divide-y divide-slate-100 dark:divide-slate-800">
          {list.map((session) => {
            const name = describeDevice(session.user_agent);
            return (
              <li key={session.id} className="flex flex-wrap items-center justify-between gap-3 py-3">
                <div className="min-w-0">
                  <p className="flex flex-wrap items-center gap-2 text-sm font-medium">
                    {name}
                    {session.current && <Badge tone="green">This device</Badge>}
                  </p>
                  <p className="text-xs text-slate-600 dark:text-slate-400">
                    {session.ip ?? 'unknown address'} · signed in {formatDateTime(session.created_at)} · last active{' '}
                    {formatDateTime(session.last_used_at)}
                  </p>
                </div>
                {!session.current && (
                  <Button
                    variant="ghostDanger"
                    size="sm"
                    aria-label={`Sign out ${name} (${session.ip ?? 'unknown address'})`}
                    busy={endOne.isPending && endOne.variables === session.id}
                    onClick={() => endOne.mutate(session.id)}
                  >
                    Sign out
                  </Button>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}
