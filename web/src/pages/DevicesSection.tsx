// Settings → Devices: the caller's active sessions, with a way to end any but this one, and the
// browsers remembered after a second factor (they skip that step), with a way to forget each.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { errorMessage } from '../api/errors';
import { Badge, Button, Card, ErrorState, LoadingState } from '../components/ui';
import { describeDevice } from '../lib/device';
import { formatDateTime } from '../lib/format';
import { toast } from '../lib/toast';

const sessionsKey = ['my-sessions'];
export const rememberedDevicesKey = ['my-remembered-devices'];

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
      <RememberedDevices />
    </Card>
  );
}

/** Browsers that skip the second step; shown only when there are some. */
function RememberedDevices() {
  const queryClient = useQueryClient();
  const remembered = useQuery({
    queryKey: rememberedDevicesKey,
    queryFn: () => unwrap(api.GET('/api/v1/users/me/mfa/devices')),
  });
  const forget = useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE('/api/v1/users/me/mfa/devices/{device_id}', { params: { path: { device_id: id } } })),
    onSuccess: async () => {
      toast.success('That browser will be asked for a code again.');
      await queryClient.invalidateQueries({ queryKey: rememberedDevicesKey });
    },
    onError: (error) => toast.error(errorMessage(error)),
  });

  const list = remembered.data?.data ?? [];
  if (list.length === 0) return null;
  return (
    <div className="mt-6 border-t border-slate-100 pt-4 dark:border-slate-800">
      <h3 id="remembered-title" className="text-sm font-semibold">
        Remembered for two-factor sign-in
      </h3>
      <p className="mt-0.5 text-sm text-slate-600 dark:text-slate-400">
        These browsers skip the code after your password until the date shown. Forget one you no longer use.
      </p>
      <ul aria-labelledby="remembered-title" className="mt-2 divide-y divide-slate-100 dark:divide-slate-800">
        {list.map((device) => {
          const name = describeDevice(device.user_agent);
          return (
            <li key={device.id} className="flex flex-wrap items-center justify-between gap-3 py-3">
              <div className="min-w-0">
                <p className="text-sm font-medium">{name}</p>
                <p className="text-xs text-slate-600 dark:text-slate-400">
                  {device.ip ?? 'unknown address'} · remembered {formatDateTime(device.created_at)} · until{' '}
                  {formatDateTime(device.expires_at)}
                </p>
              </div>
              <Button
                variant="ghostDanger"
                size="sm"
                aria-label={`Forget ${name} (${device.ip ?? 'unknown address'})`}
                busy={forget.isPending && forget.variables === device.id}
                onClick={() => forget.mutate(device.id)}
              >
                Forget
              </Button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
