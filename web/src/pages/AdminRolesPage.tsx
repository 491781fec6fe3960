// Admin → Roles: every role with its permissions and number of holders. A superuser defines
// custom roles (a name and permissions from the catalogue), edits and deletes them; built-in
// roles are Roster's own and fixed. Defining roles is the superuser's alone, so only superusers
// get the link, and anyone else who opens the page is told it is not theirs.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import { errorMessage } from '../api/errors';
import { rolesQuery } from '../api/roles';
import type { RolePublic } from '../api/types';
import { useMe } from '../auth/session';
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
import { adminHome, isSuperuser, SUPERUSER_ROLE } from '../lib/permissions';
import { changesOf, createBody, draftOf, holdersNotice, permissionHint, roleLabel, roleName, withPermission } from '../lib/roles';
import { toast } from '../lib/toast';
import { useForm } from '../lib/useForm';
import { LIMITS, maxLength } from '../lib/validation';

const BUILT_IN_FIXED = 'Built-in roles cannot be changed or deleted';

function UsersLink() {
  return (
    <Link to="/admin" search={{ page: 1, size: 10 }}>
      Users
    </Link>
  );
}

/** Create (no `role`) or edit a custom role: name, description, and the permissions it gives. */
function RoleForm({ role, catalogue, onDone }: { role?: RolePublic; catalogue: readonly string[]; onDone: () => void }) {
  const queryClient = useQueryClient();
  const initial = draftOf(role);
  const [permissions, setPermissions] = useState(initial.permissions);
  const form = useForm({ name: initial.name, description: initial.description }, () => ({
    name: [roleName],
    description: [maxLength('Description', LIMITS.descriptionMax)],
  }));

  const onSubmit = form.handleSubmit(async (values) => {
    const draft = { ...values, name: values.name.trim(), permissions };
    if (role) {
      const changes = changesOf(role, draft);
      if (Object.keys(changes).length > 0) {
        await unwrap(api.PATCH('/api/v1/roles/{name}', { params: { path: { name: role.name } }, body: changes }));
      }
      toast.success(`Saved the role ${draft.name}.`);
    } else {
      await unwrap(api.POST('/api/v1/roles', { body: createBody(draft) }));
      toast.success(`Created the role ${draft.name}.`);
    }
    // The users' roles and permissions shown elsewhere follow a renamed or redefined role.
    await queryClient.invalidateQueries({ queryKey: rolesQuery.queryKey });
    await queryClient.invalidateQueries({ queryKey: ['users'] });
    onDone();
  });

  return (
    <form ref={form.formRef} onSubmit={onSubmit} noValidate className="space-y-4">
      <FormError message={form.formError} />
      <TextField
        label="Name"
        autoComplete="off"
        autoFocus
        hint={`Lower-case letters, digits and _, e.g. billing_support.${role ? ' Renaming keeps the role’s holders.' : ''}`}
        {...form.field('name')}
      />
      <TextField label="Description (optional)" autoComplete="off" {...form.field('description')} />
      <fieldset className="space-y-2">
        <legend className="mb-1 text-sm font-medium">Permissions</legend>
        {catalogue.map((code) => (
          <Checkbox
            key={code}
            label={code}
            checked={permissions.includes(code)}
            hint={permissionHint(code)}
            onChange={(e) => setPermissions((now) => withPermission(catalogue, now, code, e.target.checked))}
          />
        ))}
        {permissions.length === 0 && (
          <p className="text-xs text-slate-500 dark:text-slate-400">None checked: the role gives no permission.</p>
        )}
      </fieldset>
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" busy={form.submitting}>
          {role ? 'Save role' : 'Create role'}
        </Button>
      </div>
    </form>
  );
}

function PermissionList({ permissions }: { permissions: readonly string[] }) {
  if (permissions.length === 0) return <span className="text-slate-400">None</span>;
  return (
    <ul className="flex flex-wrap gap-1">
      {permissions.map((code) => (
        <li key={code} title={permissionHint(code)}>
          <Badge tone="slate">{code}</Badge>
        </li>
      ))}
    </ul>
  );
}

function RolesManager() {
  const queryClient = useQueryClient();
  const roles = useQuery(rolesQuery);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<RolePublic | null>(null);
  const [deleting, setDeleting] = useState<RolePublic | null>(null);

  const remove = useMutation({
    mutationFn: (role: RolePublic) => unwrap(api.DELETE('/api/v1/roles/{name}', { params: { path: { name: role.name } } })),
    onSuccess: async (_answer, role) => {
      toast.success(`Deleted the role ${role.name}.`);
      setDeleting(null);
      await queryClient.invalidateQueries({ queryKey: rolesQuery.queryKey });
      await queryClient.invalidateQueries({ queryKey: ['users'] });
    },
  });
  const askDelete = (role: RolePublic | null) => {
    remove.reset();
    setDeleting(role);
  };

  return (
    <>
      <PageHeader
        title="Roles"
        description={`What each role lets its holders do. ${BUILT_IN_FIXED}: they are Roster's own; custom roles are yours.`}
        actions={
          <div className="flex items-center gap-4">
            <UsersLink />
            <Button onClick={() => setCreating(true)}>New role</Button>
          </div>
        }
      />
      {roles.isPending ? (
        <LoadingState label="Loading roles…" />
      ) : roles.isError ? (
        <ErrorState message={errorMessage(roles.error)} onRetry={() => void roles.refetch()} />
      ) : (
        <>
          <DataTable caption="Roles" columns={['Role', 'Permissions', 'Holders']} actions busy={roles.isFetching}>
            {roles.data.data.map((role) => (
              <tr key={role.name} data-role={role.name}>
                <td className="px-4 py-3">
                  <div className="flex flex-wrap items-center gap-2 font-medium">
                    {roleLabel(role.name)}
                    {role.built_in && <Badge tone="indigo">Built-in</Badge>}
                  </div>
                  <div className="text-xs text-slate-500 dark:text-slate-400">
                    <code>{role.name}</code>
                    {role.description && <> · {role.description}</>}
                  </div>
                </td>
                <td className="px-4 py-3">
                  {role.name === SUPERUSER_ROLE ? (
                    'Every permission, and defining roles'
                  ) : (
                    <PermissionList permissions={role.permissions} />
                  )}
                </td>
                <td className="px-4 py-3 tabular-nums">{role.holders}</td>
                <td className="px-4 py-3 text-right whitespace-nowrap">
                  {role.built_in ? (
                    <span title={BUILT_IN_FIXED} className="text-xs text-slate-500 dark:text-slate-400">
                      Fixed
                    </span>
                  ) : (
                    <>
                      <Button variant="ghost" size="sm" aria-label={`Edit ${role.name}`} onClick={() => setEditing(role)}>
                        Edit
                      </Button>
                      <Button variant="ghostDanger" size="sm" aria-label={`Delete ${role.name}`} onClick={() => askDelete(role)}>
                        Delete
                      </Button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
          {roles.data.data.every((role) => role.built_in) && (
            <p className="mt-4 text-sm text-slate-600 dark:text-slate-400">
              No custom roles yet: “New role” defines one, for example a billing team that reads users and every item.
            </p>
          )}
        </>
      )}

      <Dialog open={creating} title="New role" onClose={() => setCreating(false)}>
        {roles.data && <RoleForm catalogue={roles.data.permissions} onDone={() => setCreating(false)} />}
      </Dialog>
      <Dialog open={editing !== null} title={`Edit role ${editing?.name ?? ''}`} onClose={() => setEditing(null)}>
        {editing && roles.data && (
          <RoleForm key={editing.name} role={editing} catalogue={roles.data.permissions} onDone={() => setEditing(null)} />
        )}
      </Dialog>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete role?"
        confirmLabel="Delete role"
        busy={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
        onClose={() => askDelete(null)}
      >
        <p>
          The role <strong>{deleting?.name}</strong> will be deleted. {holdersNotice(deleting?.holders ?? 0)}
        </p>
        <FormError message={remove.error ? errorMessage(remove.error) : null} />
      </ConfirmDialog>
    </>
  );
}

export function AdminRolesPage() {
  const { data: me } = useMe();
  if (!me) return null;
  if (isSuperuser(me)) return <RolesManager />;
  const home = adminHome(me);
  return (
    <>
      <PageHeader title="Roles" />
      <EmptyState title="Only superusers manage roles">
        Your account cannot define, change or delete roles.{' '}
        {home === '/admin' && 'The roles each user holds are shown on the users page.'}
        {home && <p className="mt-3">{home === '/admin' ? <UsersLink /> : <Link to="/admin/audit">Audit log</Link>}</p>}
      </EmptyState>
    </>
  );
}
