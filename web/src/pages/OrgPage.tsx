// One organization: its members with their roles, invitations, domains, leaving, and
// deleting it (owners, with the slug typed to confirm). What the viewer's role does not allow
// is not offered; the server refuses it anyway.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { type ReactNode, useState } from 'react';
import { api, unwrap } from '../api/client';
import { errorMessage } from '../api/errors';
import type { OrgMemberPublic, OrgPublic } from '../api/types';
import { chooseOrganization, displayName, useActiveOrg, useMe } from '../auth/session';
import { ConfirmDialog, Dialog } from '../components/Dialog';
import { myOrgsKey } from '../components/OrgSwitcher';
import {
  Badge,
  Button,
  Card,
  DataTable,
  EmptyState,
  ErrorState,
  FormError,
  LoadingState,
  PageHeader,
  SelectField,
  TextField,
} from '../components/ui';
import { formatDate } from '../lib/format';
import { assignableRoles, canManageMembers, canRemove, ORG_ROLES, type OrgRole, ROLE_LABELS, withArticle } from '../lib/orgs';
import { toast } from '../lib/toast';
import { useForm } from '../lib/useForm';
import { email } from '../lib/validation';

const orgKey = (orgId: string) => ['org', orgId];

export function OrgPage({ orgId }: { orgId: string }) {
  const org = useQuery({
    queryKey: orgKey(orgId),
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{org_id}', { params: { path: { org_id: orgId } } })),
  });
  if (org.isPending) return <LoadingState label="Loading the organization…" />;
  if (org.isError) return <ErrorState message={errorMessage(org.error)} onRetry={() => void org.refetch()} />;
  const role = org.data.role;
  return (
    <>
      <PageHeader
        title={org.data.name}
        description={
          <>
            {org.data.slug} · {role ? `you are ${withArticle(role)}` : 'you are not a member'}
          </>
        }
        actions={canManageMembers(role) && <InviteButton orgId={orgId} role={role} />}
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <MembersSection org={org.data} />
          {canManageMembers(role) && <InvitationsSection orgId={orgId} />}
        </div>
        <div className="space-y-6">
          <DomainsCard org={org.data} />
          <DangerZone org={org.data} />
        </div>
      </div>
    </>
  );
}

function Section({
  id,
  title,
  description,
  children,
}: {
  id: string;
  title: string;
  description?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section aria-labelledby={id}>
      <h2 id={id} className="text-lg font-semibold">
        {title}
      </h2>
      {description && <p className="mt-0.5 mb-3 text-sm text-slate-600 dark:text-slate-400">{description}</p>}
      {children}
    </section>
  );
}

function MembersSection({ org }: { org: OrgPublic }) {
  const queryClient = useQueryClient();
  const me = useMe();
  const members = useQuery({
    queryKey: [...orgKey(org.id), 'members'],
    queryFn: () =>
      unwrap(api.GET('/api/v1/orgs/{org_id}/members', { params: { path: { org_id: org.id }, query: { limit: 1000 } } })),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: orgKey(org.id) });
  const changeRole = useMutation({
    mutationFn: ({ member, role }: { member: OrgMemberPublic; role: OrgRole }) =>
      unwrap(
        api.PATCH('/api/v1/orgs/{org_id}/members/{user_id}', {
          params: { path: { org_id: org.id, user_id: member.user_id } },
          body: { role },
        }),
      ),
    onSuccess: async (member) => {
      toast.success(`${displayName(member)} is now ${withArticle(member.role)}.`);
      await refresh();
    },
    onError: (error) => toast.error(errorMessage(error)),
  });
  const [removing, setRemoving] = useState<OrgMemberPublic | null>(null);
  const remove = useMutation({
    mutationFn: (member: OrgMemberPublic) =>
      unwrap(
        api.DELETE('/api/v1/orgs/{org_id}/members/{user_id}', { params: { path: { org_id: org.id, user_id: member.user_id } } }),
      ),
    onSuccess: async () => {
      toast.success(`${removing ? displayName(removing) : 'The member'} was removed.`);
      setRemoving(null);
      await refresh();
    },
    onError: (error) => toast.error(errorMessage(error)),
  });

  return (
    <Section id="members-title" title="Members" description={members.data && `${members.data.count} in all, owners first.`}>
      {members.isPending ? (
        <LoadingState label="Loading members…" />
      ) : members.isError ? (
        <ErrorState message={errorMessage(members.error)} onRetry={() => void members.refetch()} />
      ) : (
        <DataTable caption="Members" columns={['Member', 'Role', 'Joined']} actions>
          {members.data.data.map((member) => {
            const roles = member.user_id === me.data?.id ? [] : assignableRoles(org.role, member.role);
            return (
              <tr key={member.user_id}>
                <td className="px-4 py-3">
                  <div className="font-medium">{displayName(member)}</div>
                  {member.full_name && <div className="text-xs text-slate-500">{member.email}</div>}
                </td>
                <td className="px-4 py-3">
                  {roles.length > 0 ? (
                    <SelectField
                      label={`Role of ${displayName(member)}`}
                      value={member.role}
                      disabled={changeRole.isPending}
                      onChange={(event) => changeRole.mutate({ member, role: event.target.value as OrgRole })}
                    >
                      {ORG_ROLES.filter((role) => role === member.role || roles.includes(role)).map((role) => (
                        <option key={role} value={role}>
                          {ROLE_LABELS[role]}
                        </option>
                      ))}
                    </SelectField>
                  ) : (
                    <Badge tone={member.role === 'owner' ? 'indigo' : 'slate'}>{ROLE_LABELS[member.role]}</Badge>
                  )}
                </td>
                <td className="px-4 py-3 text-slate-600 dark:text-slate-400">{formatDate(member.joined_at)}</td>
                <td className="px-4 py-3 text-right">
                  {member.user_id !== me.data?.id && canRemove(org.role, member.role) && (
                    <Button variant="ghostDanger" size="sm" onClick={() => setRemoving(member)}>
                      Remove
                    </Button>
                  )}
                </td>
              </tr>
            );
          })}
        </DataTable>
      )}
      <ConfirmDialog
        open={removing !== null}
        title="Remove this member?"
        confirmLabel="Remove"
        busy={remove.isPending}
        onConfirm={() => removing && remove.mutate(removing)}
        onClose={() => setRemoving(null)}
      >
        <p>{removing && displayName(removing)} will lose access to this organization at once.</p>
      </ConfirmDialog>
    </Section>
  );
}

function InviteButton({ orgId, role }: { orgId: string; role: OrgRole | null }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const form = useForm({ email: '', role: 'member' }, () => ({ email: [email] }));
  const onSubmit = form.handleSubmit(async (values) => {
    await unwrap(
      api.POST('/api/v1/orgs/{org_id}/invitations', {
        params: { path: { org_id: orgId } },
        body: { email: values.email.trim(), role: values.role as OrgRole },
      }),
    );
    toast.success(`Invitation sent to ${values.email.trim()}.`);
    await queryClient.invalidateQueries({ queryKey: orgKey(orgId) });
    setOpen(false);
    form.reset();
  });
  return (
    <>
      <Button onClick={() => setOpen(true)}>Invite people</Button>
      <Dialog open={open} title="Invite someone" onClose={() => setOpen(false)}>
        <form ref={form.formRef} onSubmit={onSubmit} noValidate className="space-y-4">
          <FormError message={form.formError} />
          <TextField label="Email" type="email" autoComplete="off" {...form.field('email')} />
          <SelectField
            label="Role"
            value={form.values.role}
            onChange={(event) => form.setValues((current) => ({ ...current, role: event.target.value }))}
          >
            {(role === 'owner' ? ORG_ROLES : (['admin', 'member'] as OrgRole[])).map((option) => (
              <option key={option} value={option}>
                {ROLE_LABELS[option]}
              </option>
            ))}
          </SelectField>
          <p className="text-xs text-slate-500">
            They get an email with a link valid for a few days; inviting again sends a new one.
          </p>
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" busy={form.submitting}>
              Send invitation
            </Button>
          </div>
        </form>
      </Dialog>
    </>
  );
}

function InvitationsSection({ orgId }: { orgId: string }) {
  const queryClient = useQueryClient();
  const invitations = useQuery({
    queryKey: [...orgKey(orgId), 'invitations'],
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{org_id}/invitations', { params: { path: { org_id: orgId } } })),
  });
  const revoke = useMutation({
    mutationFn: (id: string) =>
      unwrap(
        api.DELETE('/api/v1/orgs/{org_id}/invitations/{invitation_id}', {
          params: { path: { org_id: orgId, invitation_id: id } },
        }),
      ),
    onSuccess: async () => {
      toast.success('Invitation revoked.');
      await queryClient.invalidateQueries({ queryKey: [...orgKey(orgId), 'invitations'] });
    },
    onError: (error) => toast.error(errorMessage(error)),
  });
  const list = invitations.data?.data ?? [];
  return (
    <Section id="invitations-title" title="Pending invitations">
      {invitations.isPending ? (
        <LoadingState label="Loading invitations…" />
      ) : invitations.isError ? (
        <ErrorState message={errorMessage(invitations.error)} onRetry={() => void invitations.refetch()} />
      ) : list.length === 0 ? (
        <EmptyState title="No pending invitations" />
      ) : (
        <DataTable caption="Pending invitations" columns={['Email', 'Role', 'Expires']} actions>
          {list.map((invitation) => (
            <tr key={invitation.id}>
              <td className="px-4 py-3">{invitation.email}</td>
              <td className="px-4 py-3">{ROLE_LABELS[invitation.role]}</td>
              <td className="px-4 py-3 text-slate-600 dark:text-slate-400">{formatDate(invitation.expires_at)}</td>
              <td className="px-4 py-3 text-right">
                <Button
                  variant="ghostDanger"
                  size="sm"
                  busy={revoke.isPending && revoke.variables === invitation.id}
                  onClick={() => revoke.mutate(invitation.id)}
                >
                  Revoke
                </Button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </Section>
  );
}

function DomainsCard({ org }: { org: OrgPublic }) {
  const queryClient = useQueryClient();
  const domains = useQuery({
    queryKey: [...orgKey(org.id), 'domains'],
    queryFn: () => unwrap(api.GET('/api/v1/orgs/{org_id}/domains', { params: { path: { org_id: org.id } } })),
  });
  const [draft, setDraft] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (list: string[]) =>
      unwrap(api.PUT('/api/v1/orgs/{org_id}/domains', { params: { path: { org_id: org.id } }, body: list })),
    onSuccess: async () => {
      toast.success('Domains saved.');
      setDraft(null);
      await queryClient.invalidateQueries({ queryKey: [...orgKey(org.id), 'domains'] });
    },
  });
  const current = domains.data ?? [];
  const text = draft ?? current.join(', ');
  return (
    <Card aria-labelledby="domains-title">
      <h2 id="domains-title" className="text-lg font-semibold">
        Domains
      </h2>
      <p className="mt-0.5 mb-3 text-sm text-slate-600 dark:text-slate-400">
        People who verify an email address at one of these domains join as members automatically.
      </p>
      {org.role === 'owner' ? (
        <form
          className="space-y-3"
          onSubmit={(event) => {
            event.preventDefault();
            save.mutate(text.split(/[\s,]+/).filter(Boolean));
          }}
        >
          <FormError message={save.error ? errorMessage(save.error) : null} />
          <TextField label="Domains" placeholder="example.com" value={text} onChange={(event) => setDraft(event.target.value)} />
          <Button type="submit" variant="secondary" busy={save.isPending}>
            Save domains
          </Button>
        </form>
      ) : (
        <p className="text-sm">{current.length > 0 ? current.join(', ') : 'None.'}</p>
      )}
    </Card>
  );
}

function DangerZone({ org }: { org: OrgPublic }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const me = useMe();
  const active = useActiveOrg();
  const [confirming, setConfirming] = useState<'leave' | 'delete' | null>(null);
  const [typed, setTyped] = useState('');
  const afterLeaving = async (message: string) => {
    toast.success(message);
    setConfirming(null);
    // A token that still claims this organization would be refused: act for yourself again.
    if (active.data?.id === org.id) await chooseOrganization(queryClient, null).catch(() => {});
    await queryClient.invalidateQueries({ queryKey: myOrgsKey });
    await navigate({ to: '/orgs' });
  };
  const leave = useMutation({
    mutationFn: () =>
      unwrap(
        api.DELETE('/api/v1/orgs/{org_id}/members/{user_id}', {
          params: { path: { org_id: org.id, user_id: me.data?.id ?? '' } },
        }),
      ),
    onSuccess: () => afterLeaving(`You left ${org.name}.`),
    onError: (error) => toast.error(errorMessage(error)),
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/orgs/{org_id}', { params: { path: { org_id: org.id } } })),
    onSuccess: () => afterLeaving(`${org.name} was deleted.`),
    onError: (error) => toast.error(errorMessage(error)),
  });
  if (!org.role) return null;
  return (
    <Card aria-labelledby="danger-title">
      <h2 id="danger-title" className="mb-3 text-lg font-semibold">
        Leave or delete
      </h2>
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" onClick={() => setConfirming('leave')}>
          Leave organization
        </Button>
        {org.role === 'owner' && (
          <Button variant="danger" onClick={() => setConfirming('delete')}>
            Delete organization
          </Button>
        )}
      </div>
      <ConfirmDialog
        open={confirming === 'leave'}
        title={`Leave ${org.name}?`}
        confirmLabel="Leave"
        busy={leave.isPending}
        onConfirm={() => leave.mutate()}
        onClose={() => setConfirming(null)}
      >
        <p>You lose access at once; someone must invite you to come back. The last owner cannot leave.</p>
      </ConfirmDialog>
      <Dialog open={confirming === 'delete'} title={`Delete ${org.name}?`} onClose={() => setConfirming(null)}>
        <form
          className="space-y-3 text-sm"
          onSubmit={(event) => {
            event.preventDefault();
            if (typed === org.slug) remove.mutate();
          }}
        >
          <p>Every member loses access, and its invitations and domains are deleted. This cannot be undone.</p>
          <TextField
            label={`Type ${org.slug} to confirm`}
            autoComplete="off"
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
          />
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setConfirming(null)}>
              Cancel
            </Button>
            <Button type="submit" variant="danger" disabled={typed !== org.slug} busy={remove.isPending}>
              Delete organization
            </Button>
          </div>
        </form>
      </Dialog>
    </Card>
  );
}
