import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useEffect, useId, useRef, useState } from 'react';
import { api, unwrap } from '../api/client';
import { errorMessage } from '../api/errors';
import { rolesQuery } from '../api/roles';
import type { Me, RolePublic, UserPublic, UsersOrderBy, UsersQuery } from '../api/types';
import { useMe } from '../auth/session';
import { ConfirmDialog, Dialog } from '../components/Dialog';
import { IdentitiesList, type Identity } from '../components/IdentitiesList';
import { Pagination } from '../components/Pagination';
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
  SelectField,
  TextField,
} from '../components/ui';
import { formatDate } from '../lib/format';
import { ROLE_LABELS } from '../lib/orgs';
import { can, isSuperuser, mayConfer, SUPERUSER_ROLE } from '../lib/permissions';
import { roleLabel } from '../lib/roles';
import { oneOf, pageSize, positiveInt } from '../lib/search';
import { toast } from '../lib/toast';
import { useForm } from '../lib/useForm';
import { email, LIMITS, matches, maxLength, optional, password } from '../lib/validation';

const ORDERS = [
  { value: '-created_at', label: 'Newest first' },
  { value: 'created_at', label: 'Oldest first' },
  { value: 'email', label: 'Email A–Z' },
  { value: '-email', label: 'Email Z–A' },
  { value: 'full_name', label: 'Name A–Z' },
  { value: '-full_name', label: 'Name Z–A' },
] as const satisfies readonly { value: UsersOrderBy; label: string }[];

const TRISTATE = ['yes', 'no'] as const;
type Tristate = (typeof TRISTATE)[number] | undefined;

export type UsersSearch = {
  page: number;
  size: number;
  q?: string;
  active?: 'yes' | 'no';
  superuser?: 'yes' | 'no';
  verified?: 'yes' | 'no';
  mfa?: 'yes' | 'no';
  order?: UsersOrderBy;
};

export function parseUsersSearch(search: Record<string, unknown>): UsersSearch {
  const q = typeof search.q === 'string' && search.q.trim() !== '' ? search.q : undefined;
  return {
    page: positiveInt(search.page, 1),
    size: pageSize(search.size),
    q,
    active: oneOf(search.active, TRISTATE),
    superuser: oneOf(search.superuser, TRISTATE),
    verified: oneOf(search.verified, TRISTATE),
    mfa: oneOf(search.mfa, TRISTATE),
    order: oneOf(
      search.order,
      ORDERS.map((o) => o.value),
    ),
  };
}

function toBool(value: Tristate): boolean | undefined {
  return value === undefined ? undefined : value === 'yes';
}

/** The API query for a page of the table. Absent filters are left out, not sent empty. */
export function usersQuery(search: UsersSearch): UsersQuery {
  const query: UsersQuery = {
    skip: (search.page - 1) * search.size,
    limit: search.size,
    order_by: search.order ?? '-created_at',
  };
  if (search.q?.trim()) query.q = search.q.trim();
  const isActive = toBool(search.active);
  const isSuperuser = toBool(search.superuser);
  const isVerified = toBool(search.verified);
  if (isActive !== undefined) query.is_active = isActive;
  if (isSuperuser !== undefined) query.is_superuser = isSuperuser;
  if (isVerified !== undefined) query.is_verified = isVerified;
  const mfa = toBool(search.mfa);
  if (mfa !== undefined) query.mfa = mfa;
  return query;
}

/** The roles a user holds, as badges; "User" for none. */
function RoleBadges({ roles }: { roles: readonly string[] }) {
  if (roles.length === 0) return <Badge tone="slate">User</Badge>;
  return (
    <span className="flex flex-wrap gap-1">
      {roles.map((role) => (
        <Badge key={role} tone={role === SUPERUSER_ROLE ? 'indigo' : 'slate'}>
          {roleLabel(role)}
        </Badge>
      ))}
    </span>
  );
}

/** One checkbox per role; those the viewer could not give or take are shown but locked. */
function RolePicker({
  me,
  selected,
  locked,
  onChange,
}: {
  me: Me;
  selected: string[];
  locked: boolean;
  onChange: (roles: string[]) => void;
}) {
  const roles = useQuery(rolesQuery);
  if (roles.isPending) return <p className="text-sm text-slate-500">Loading roles…</p>;
  if (roles.isError) return <FormError message={errorMessage(roles.error)} />;
  const toggle = (role: RolePublic, on: boolean) =>
    onChange(on ? [...selected, role.name] : selected.filter((name) => name !== role.name));
  return (
    <fieldset className="space-y-2">
      <legend className="mb-1 text-sm font-medium">Roles</legend>
      {roles.data.data.map((role) => {
        const allowed = mayConfer(me, role);
        return (
          <Checkbox
            key={role.name}
            label={roleLabel(role.name)}
            checked={selected.includes(role.name)}
            disabled={locked || !allowed}
            hint={
              allowed
                ? (role.description ?? role.permissions.join(', '))
                : 'You cannot give or take this role: it has permissions you do not hold.'
            }
            onChange={(e) => toggle(role, e.target.checked)}
          />
        );
      })}
    </fieldset>
  );
}

const sameRoles = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((name) => b.includes(name));

function UserForm({ user, me, onDone }: { user?: UserPublic; me: Me; onDone: () => void }) {
  const queryClient = useQueryClient();
  const isSelf = user?.id === me.id;
  // Viewers without users:write (support) see the account read-only.
  const readOnly = !can(me, 'users:write');
  const initialRoles = user?.roles ?? (user?.is_superuser ? [SUPERUSER_ROLE] : []);
  const [isActive, setIsActive] = useState(user?.is_active ?? true);
  const [roles, setRoles] = useState<string[]>(initialRoles);
  const [isVerified, setIsVerified] = useState(user?.is_verified ?? false);
  const form = useForm({ full_name: user?.full_name ?? '', email: user?.email ?? '', password: '', confirm: '' }, (values) => ({
    full_name: [maxLength('Full name', LIMITS.nameMax)],
    email: [email],
    // Creating needs a password; editing changes it only when one is typed.
    password: [user ? optional(password()) : password()],
    confirm: [matches(() => values.password)],
  }));

  const onSubmit = form.handleSubmit(async (values) => {
    const common = { email: values.email.trim(), full_name: values.full_name.trim() || null };
    const setRoles = (id: string) =>
      unwrap(api.PUT('/api/v1/users/{user_id}/roles', { params: { path: { user_id: id } }, body: { roles } }));
    if (user) {
      await unwrap(
        api.PATCH('/api/v1/users/{user_id}', {
          params: { path: { user_id: user.id } },
          body: {
            ...common,
            ...(values.password ? { password: values.password } : {}),
            is_verified: isVerified,
            // Never send one's own status: the UI does not let an admin deactivate
            // themselves (and the API refuses it too).
            ...(isSelf ? {} : { is_active: isActive }),
          },
        }),
      );
      if (!isSelf && !sameRoles(roles, initialRoles)) await setRoles(user.id);
      toast.success(`Saved ${common.email}.`);
    } else {
      const created = await unwrap(
        api.POST('/api/v1/users/', {
          body: {
            ...common,
            password: values.password,
            is_active: isActive,
            is_superuser: roles.includes(SUPERUSER_ROLE),
            is_verified: isVerified,
          },
        }),
      );
      if (roles.some((name) => name !== SUPERUSER_ROLE)) await setRoles(created.id);
      toast.success(`Added ${common.email}.`);
    }
    await queryClient.invalidateQueries({ queryKey: ['roles'] });
    await queryClient.invalidateQueries({ queryKey: ['users'] });
    if (isSelf) await queryClient.invalidateQueries({ queryKey: ['me'] });
    onDone();
  });

  const [mfaEnabled, setMfaEnabled] = useState(user?.mfa_enabled ?? false);
  const [confirmingReset, setConfirmingReset] = useState(false);
  const resetMfa = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/users/{user_id}/mfa', { params: { path: { user_id: id } } })),
    onSuccess: async () => {
      setMfaEnabled(false);
      setConfirmingReset(false);
      toast.success(`Two-factor authentication is reset for ${user?.email}.`);
      await queryClient.invalidateQueries({ queryKey: ['users'] });
    },
    onError: (error) => toast.error(errorMessage(error)),
  });

  const signOutEverywhere = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/users/{user_id}/sessions', { params: { path: { user_id: id } } })),
    onSuccess: () => toast.success(`${user?.email} is signed out everywhere.`),
    onError: (error) => toast.error(errorMessage(error)),
  });

  const selfHint = isSelf ? 'You cannot change this for your own account.' : undefined;
  if (readOnly && user) return <UserDetails user={user} me={me} onDone={onDone} />;
  return (
    <form ref={form.formRef} onSubmit={onSubmit} noValidate className="space-y-4">
      <FormError message={form.formError} />
      <TextField label="Email" type="email" autoComplete="off" autoFocus {...form.field('email')} />
      <TextField label="Full name" autoComplete="off" {...form.field('full_name')} />
      <TextField
        label={user ? 'New password (optional)' : 'Password'}
        type="password"
        autoComplete="new-password"
        hint={user ? 'Leave empty to keep the current password.' : `${LIMITS.passwordMin} to ${LIMITS.passwordMax} characters.`}
        {...form.field('password')}
      />
      <TextField label="Confirm password" type="password" autoComplete="new-password" {...form.field('confirm')} />
      <Checkbox
        label="Active"
        checked={isActive}
        disabled={isSelf}
        hint={selfHint ?? 'Inactive users cannot sign in.'}
        onChange={(e) => setIsActive(e.target.checked)}
      />
      <RolePicker me={me} selected={roles} locked={isSelf} onChange={setRoles} />
      {selfHint && <p className="text-xs text-slate-500">Your own roles: {selfHint.toLowerCase()}</p>}
      <Checkbox
        label="Verified"
        checked={isVerified}
        hint="The email address is known to belong to this person."
        onChange={(e) => setIsVerified(e.target.checked)}
      />
      {user && (
        <MfaStatus
          enabled={mfaEnabled}
          isSelf={isSelf}
          email={user.email}
          confirming={confirmingReset}
          busy={resetMfa.isPending}
          onAsk={() => setConfirmingReset(true)}
          onConfirm={() => resetMfa.mutate(user.id)}
          onCancel={() => setConfirmingReset(false)}
        />
      )}
      {user && <UserIdentities user={user} />}
      {user && <UserOrganizations user={user} me={me} />}
      <div className="flex flex-wrap justify-end gap-2">
        {user && !isSelf && can(me, 'sessions:revoke') && (
          // Ends every session of this user at once (a lost laptop, a leaked password).
          <Button
            variant="ghostDanger"
            className="mr-auto"
            busy={signOutEverywhere.isPending}
            onClick={() => signOutEverywhere.mutate(user.id)}
          >
            Sign out everywhere
          </Button>
        )}
        <Button variant="secondary" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" busy={form.submitting}>
          {user ? 'Save user' : 'Add user'}
        </Button>
      </div>
    </form>
  );
}

/** The sign-in providers linked to a user, for the admin dialog; a superuser may unlink them. */
function UserIdentities({ user }: { user: UserPublic }) {
  const queryClient = useQueryClient();
  const key = ['user-identities', user.id];
  const identities = useQuery({
    queryKey: key,
    queryFn: () => unwrap(api.GET('/api/v1/users/{user_id}/identities', { params: { path: { user_id: user.id } } })),
  });
  const unlink = useMutation({
    mutationFn: (identity: Identity) =>
      unwrap(
        api.DELETE('/api/v1/users/{user_id}/identities/{identity_id}', {
          params: { path: { user_id: user.id, identity_id: identity.id } },
        }),
      ),
    onSuccess: async (_answer, identity) => {
      toast.success(`${identity.display_name} is unlinked from ${user.email}.`);
      await queryClient.invalidateQueries({ queryKey: key });
    },
    onError: (error) => toast.error(errorMessage(error)),
  });
  if (identities.isPending || identities.isError) return null;
  return (
    <section aria-labelledby={`identities-${user.id}`} className="border-t border-slate-200 pt-3 dark:border-slate-700">
      <h3 id={`identities-${user.id}`} className="text-sm font-semibold">
        Linked accounts
      </h3>
      <IdentitiesList
        identities={identities.data.data}
        busyId={unlink.isPending ? (unlink.variables?.id ?? null) : null}
        onUnlink={(identity) => unlink.mutate(identity)}
        emptyText="None: this user signs in with a password only."
      />
    </section>
  );
}

/**
 * The organizations the user belongs to and their role in each (the first page: a person is
 * rarely in more). Holders of orgs:manage, who may open any organization, get links.
 */
function UserOrganizations({ user, me }: { user: UserPublic; me: Me }) {
  const orgs = useQuery({
    queryKey: ['user-orgs', user.id],
    queryFn: () => unwrap(api.GET('/api/v1/users/{user_id}/orgs', { params: { path: { user_id: user.id } } })),
  });
  const headingId = `orgs-${user.id}`;
  const linked = can(me, 'orgs:manage');
  return (
    <section aria-labelledby={headingId} className="border-t border-slate-200 pt-3 dark:border-slate-700">
      <h3 id={headingId} className="text-sm font-semibold">
        Organizations
      </h3>
      {orgs.isPending ? (
        <p className="mt-1 text-sm text-slate-500">Loading organizations…</p>
      ) : orgs.isError ? (
        <p className="mt-1 text-sm text-red-700 dark:text-red-400">{errorMessage(orgs.error)}</p>
      ) : orgs.data.count === 0 ? (
        <p className="mt-1 text-sm text-slate-500 dark:text-slate-400">None: this user belongs to no organization.</p>
      ) : (
        <ul className="mt-1 space-y-1 text-sm">
          {orgs.data.data.map((org) => (
            <li key={org.id} className="flex flex-wrap items-center gap-2" data-org={org.slug}>
              {linked ? (
                <Link to="/orgs/$orgId" params={{ orgId: org.id }} className="font-medium">
                  {org.name}
                </Link>
              ) : (
                <span className="font-medium">{org.name}</span>
              )}
              <span className="text-slate-500 dark:text-slate-400">{org.slug}</span>
              {org.role && <Badge tone={org.role === 'member' ? 'slate' : 'indigo'}>{ROLE_LABELS[org.role]}</Badge>}
            </li>
          ))}
          {orgs.data.count > orgs.data.data.length && (
            <li className="text-slate-500 dark:text-slate-400">and {orgs.data.count - orgs.data.data.length} more</li>
          )}
        </ul>
      )}
    </section>
  );
}

/**
 * Whether the user has a second factor, and a reset for someone locked out of it (a lost
 * phone, no recovery codes). Confirmed in place: the form is already in a dialog.
 */
function MfaStatus({
  enabled,
  isSelf,
  email: address,
  confirming,
  busy,
  onAsk,
  onConfirm,
  onCancel,
}: {
  enabled: boolean;
  isSelf: boolean;
  email: string;
  confirming: boolean;
  busy: boolean;
  onAsk: () => void;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <div className="rounded-md border border-slate-200 p-3 dark:border-slate-700">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="flex items-center gap-2 text-sm font-medium text-slate-700 dark:text-slate-200">
          Two-factor authentication
          {enabled ? <Badge tone="green">On</Badge> : <Badge tone="slate">Off</Badge>}
        </p>
        {enabled && !isSelf && !confirming && (
          <Button variant="ghostDanger" size="sm" onClick={onAsk}>
            Reset two-factor…
          </Button>
        )}
      </div>
      {enabled && isSelf && <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">Manage your own in Settings.</p>}
      {confirming && (
        <div className="mt-3 space-y-3 text-sm text-slate-700 dark:text-slate-300">
          <p>
            This removes <strong>{address}</strong>’s authenticator app and recovery codes, forgets their remembered devices,
            signs them out everywhere and emails them. They sign in with the password alone until they set it up again.
          </p>
          <div className="flex flex-wrap justify-end gap-2">
            <Button variant="secondary" size="sm" onClick={onCancel}>
              Keep it
            </Button>
            <Button variant="danger" size="sm" busy={busy} onClick={onConfirm}>
              Reset two-factor
            </Button>
          </div>
        </div>
      )}
    </div>
  );
}

/** The account as a viewer without users:write sees it: facts, no controls. */
function UserDetails({ user, me, onDone }: { user: UserPublic; me: Me; onDone: () => void }) {
  const facts: [string, React.ReactNode][] = [
    ['Email', user.email],
    ['Full name', user.full_name || '—'],
    ['Roles', <RoleBadges key="roles" roles={user.roles ?? []} />],
    ['Status', user.is_active ? 'Active' : 'Inactive'],
    ['Email verified', user.is_verified ? 'Yes' : 'No'],
    ['Created', formatDate(user.created_at)],
  ];
  return (
    <div className="space-y-4">
      <p className="text-sm text-slate-600 dark:text-slate-400">Your account can look up users but not change them.</p>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
        {facts.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="font-medium text-slate-600 dark:text-slate-300">{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <UserOrganizations user={user} me={me} />
      <div className="flex justify-end">
        <Button variant="secondary" onClick={onDone}>
          Close
        </Button>
      </div>
    </div>
  );
}

/** Search box that updates the URL a moment after typing stops (and at once on Enter). */
function SearchBox({ value, onSearch }: { value: string; onSearch: (q: string) => void }) {
  const [text, setText] = useState(value);
  const id = useId();
  // The latest callback, without restarting the debounce each time the page re-renders.
  const onSearchRef = useRef(onSearch);
  onSearchRef.current = onSearch;
  useEffect(() => setText(value), [value]); // back/forward or a link changed the URL
  useEffect(() => {
    if (text === value) return;
    const timer = setTimeout(() => onSearchRef.current(text), 300);
    return () => clearTimeout(timer);
  }, [text, value]);
  return (
    <search className="min-w-0 flex-1 basis-56">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onSearch(text);
        }}
      >
        <label htmlFor={id} className="mb-1 block text-xs font-medium text-slate-600 dark:text-slate-300">
          Search by email or name
        </label>
        <input
          id={id}
          type="search"
          value={text}
          placeholder="e.g. ann@ or Smith"
          onChange={(e) => setText(e.target.value)}
          className="block w-full rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm dark:border-slate-600 dark:bg-slate-900"
        />
      </form>
    </search>
  );
}

function TristateSelect({
  label,
  value,
  yes,
  no,
  onChange,
}: {
  label: string;
  value: Tristate;
  yes: string;
  no: string;
  onChange: (value: Tristate) => void;
}) {
  return (
    <SelectField label={label} value={value ?? ''} onChange={(e) => onChange(oneOf(e.target.value, TRISTATE))}>
      <option value="">Any</option>
      <option value="yes">{yes}</option>
      <option value="no">{no}</option>
    </SelectField>
  );
}

export function AdminUsersPage({ search, onSearchChange }: { search: UsersSearch; onSearchChange: (next: UsersSearch) => void }) {
  const { data: me } = useMe();
  const queryClient = useQueryClient();
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<UserPublic | null>(null);
  const [deleting, setDeleting] = useState<UserPublic | null>(null);

  const query = usersQuery(search);
  const users = useQuery({
    queryKey: ['users', query],
    queryFn: () => unwrap(api.GET('/api/v1/users/', { params: { query } })),
    placeholderData: keepPreviousData,
  });

  // A filter change resets to page 1; a delete that empties the last page steps back.
  const update = (patch: Partial<UsersSearch>) => onSearchChange({ ...search, page: 1, ...patch });
  useEffect(() => {
    if (users.data && users.data.data.length === 0 && users.data.count > 0 && search.page > 1) {
      onSearchChange({ ...search, page: Math.ceil(users.data.count / search.size) });
    }
  }, [users.data, search, onSearchChange]);

  const remove = useMutation({
    mutationFn: (user: UserPublic) => unwrap(api.DELETE('/api/v1/users/{user_id}', { params: { path: { user_id: user.id } } })),
    onSuccess: async (_result, user) => {
      toast.success(`Deleted ${user.email}.`);
      setDeleting(null);
      await queryClient.invalidateQueries({ queryKey: ['users'] });
    },
    onError: (error) => toast.error(errorMessage(error)),
  });

  if (!me) return null;
  const mayWrite = can(me, 'users:write');
  const mayDelete = can(me, 'users:delete');
  const filtered = Boolean(search.q || search.active || search.superuser || search.verified || search.mfa);

  return (
    <>
      <PageHeader
        title="Users"
        description="Everyone with a Roster account."
        actions={
          <div className="flex items-center gap-4">
            {can(me, 'audit:read') && <Link to="/admin/audit">Audit log</Link>}
            {mayWrite && <Button onClick={() => setAdding(true)}>Add user</Button>}
            {can(me, 'webhooks:manage') && <Link to="/admin/webhooks">Webhooks</Link>}
            {isSuperuser(me) && <Link to="/admin/roles">Roles</Link>}
          </div>
        }
      />

      <div className="mb-4 flex flex-wrap items-end gap-3">
        <SearchBox value={search.q ?? ''} onSearch={(q) => update({ q: q.trim() ? q : undefined })} />
        <TristateSelect
          label="Status"
          value={search.active}
          yes="Active"
          no="Inactive"
          onChange={(active) => update({ active })}
        />
        <TristateSelect
          label="Role"
          value={search.superuser}
          yes="Superuser"
          no="User"
          onChange={(superuser) => update({ superuser })}
        />
        <TristateSelect
          label="Verified"
          value={search.verified}
          yes="Verified"
          no="Not verified"
          onChange={(verified) => update({ verified })}
        />
        <TristateSelect label="Two-factor" value={search.mfa} yes="On" no="Off" onChange={(mfa) => update({ mfa })} />
        <SelectField
          label="Sort by"
          value={search.order ?? '-created_at'}
          onChange={(e) =>
            update({
              order: oneOf(
                e.target.value,
                ORDERS.map((o) => o.value),
              ),
            })
          }
        >
          {ORDERS.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </SelectField>
      </div>

      {users.isPending ? (
        <LoadingState label="Loading users…" />
      ) : users.isError ? (
        <ErrorState message={errorMessage(users.error)} onRetry={() => void users.refetch()} />
      ) : users.data.count === 0 ? (
        <EmptyState title={filtered ? 'No users match' : 'No users yet'}>
          {filtered ? 'Try another search or clear the filters.' : null}
        </EmptyState>
      ) : (
        <>
          <DataTable
            caption="Users"
            columns={['Name', 'Email', 'Role', 'Status', 'Verified', 'Two-factor', 'Created']}
            actions
            busy={users.isFetching}
          >
            {users.data.data.map((user) => {
              const isSelf = user.id === me.id;
              return (
                <tr key={user.id} data-email={user.email}>
                  <td className="px-4 py-3 font-medium">
                    {user.full_name || <span className="text-slate-400">—</span>}
                    {isSelf && (
                      <span className="ml-2">
                        <Badge tone="slate">You</Badge>
                      </span>
                    )}
                  </td>
                  <td className="px-4 py-3 text-slate-700 dark:text-slate-300">{user.email}</td>
                  <td className="px-4 py-3">
                    <RoleBadges roles={user.roles ?? (user.is_superuser ? [SUPERUSER_ROLE] : [])} />
                  </td>
                  <td className="px-4 py-3">
                    {user.is_active ? <Badge tone="green">Active</Badge> : <Badge tone="red">Inactive</Badge>}
                  </td>
                  <td className="px-4 py-3">
                    {user.is_verified ? <Badge tone="green">Verified</Badge> : <Badge tone="amber">Not verified</Badge>}
                  </td>
                  <td className="px-4 py-3">
                    {user.mfa_enabled ? <Badge tone="green">On</Badge> : <Badge tone="slate">Off</Badge>}
                  </td>
                  <td className="px-4 py-3 whitespace-nowrap text-slate-600 dark:text-slate-400">
                    {formatDate(user.created_at)}
                  </td>
                  <td className="px-4 py-3 text-right whitespace-nowrap">
                    <Button
                      variant="ghost"
                      size="sm"
                      onClick={() => setEditing(user)}
                      aria-label={`${mayWrite ? 'Edit' : 'View'} ${user.email}`}
                    >
                      {mayWrite ? 'Edit' : 'View'}
                    </Button>
                    {mayDelete && (
                      <Button
                        variant="ghostDanger"
                        size="sm"
                        disabled={isSelf}
                        title={isSelf ? 'You cannot delete your own account' : undefined}
                        onClick={() => setDeleting(user)}
                        aria-label={`Delete ${user.email}`}
                      >
                        Delete
                      </Button>
                    )}
                  </td>
                </tr>
              );
            })}
          </DataTable>
          <Pagination
            label="Users"
            page={search.page}
            pageSize={search.size}
            count={users.data.count}
            shown={users.data.data.length}
            onPage={(page) => onSearchChange({ ...search, page })}
            onPageSize={(size) => update({ size })}
          />
        </>
      )}

      <Dialog open={adding} title="Add user" onClose={() => setAdding(false)}>
        <UserForm me={me} onDone={() => setAdding(false)} />
      </Dialog>
      <Dialog
        open={editing !== null}
        title={`${mayWrite ? 'Edit' : 'View'} ${editing?.email ?? 'user'}`}
        onClose={() => setEditing(null)}
      >
        {editing && <UserForm key={editing.id} user={editing} me={me} onDone={() => setEditing(null)} />}
      </Dialog>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete user?"
        confirmLabel="Delete user"
        busy={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
        onClose={() => setDeleting(null)}
      >
        <p>
          <strong>{deleting?.email}</strong> and all of their items will be deleted. This cannot be undone.
        </p>
      </ConfirmDialog>
    </>
  );
}
