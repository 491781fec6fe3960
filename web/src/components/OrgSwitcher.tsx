// The header's organization switcher: which organization this session acts for. Choosing one
// asks the server for a token pair that carries it (org_id, org_role); "Personal" clears it.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import { errorMessage } from '../api/errors';
import { chooseOrganization, useActiveOrg } from '../auth/session';
import { toast } from '../lib/toast';

export const myOrgsKey = ['my-orgs'];

export function useMyOrgs() {
  return useQuery({
    queryKey: myOrgsKey,
    queryFn: () => unwrap(api.GET('/api/v1/orgs', { params: { query: { limit: 100 } } })),
  });
}

export function OrgSwitcher() {
  const queryClient = useQueryClient();
  const orgs = useMyOrgs();
  const active = useActiveOrg();
  const [busy, setBusy] = useState(false);
  const list = orgs.data?.data ?? [];
  if (list.length === 0 && !active.data) return null;

  const choose = async (value: string) => {
    setBusy(true);
    try {
      await chooseOrganization(queryClient, value || null);
      const name = list.find((org) => org.id === value)?.name;
      toast.success(name ? `You are now acting for ${name}.` : 'You are acting for yourself.');
    } catch (error) {
      toast.error(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <label className="flex items-center gap-2 text-sm">
      <span className="sr-only sm:not-sr-only text-slate-600 dark:text-slate-400">Organization</span>
      <select
        aria-label="Active organization"
        className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-600 dark:bg-slate-900"
        value={active.data?.id ?? ''}
        disabled={busy}
        onChange={(event) => void choose(event.target.value)}
      >
        <option value="">Personal</option>
        {list.map((org) => (
          <option key={org.id} value={org.id}>
            {org.name}
          </option>
        ))}
      </select>
    </label>
  );
}
