// Organizations: the ones the user belongs to, with their role, and a form to create one.
import { useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { api, unwrap } from '../api/client';
import { errorMessage } from '../api/errors';
import { myOrgsKey, useMyOrgs } from '../components/OrgSwitcher';
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
  TextField,
} from '../components/ui';
import { ROLE_LABELS, slugFrom } from '../lib/orgs';
import { toast } from '../lib/toast';
import { useForm } from '../lib/useForm';
import { maxLength, required } from '../lib/validation';

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export function OrgsPage() {
  const orgs = useMyOrgs();
  const list = orgs.data?.data ?? [];
  return (
    <>
      <PageHeader
        title="Organizations"
        description="The teams you belong to. Owners and admins invite people and manage members."
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="lg:col-span-2">
          {orgs.isPending ? (
            <LoadingState label="Loading organizations…" />
          ) : orgs.isError ? (
            <ErrorState message={errorMessage(orgs.error)} onRetry={() => void orgs.refetch()} />
          ) : list.length === 0 ? (
            <EmptyState title="No organizations yet">Create one, or accept an invitation someone sent you.</EmptyState>
          ) : (
            <DataTable caption="Your organizations" columns={['Name', 'Slug', 'Your role']}>
              {list.map((org) => (
                <tr key={org.id}>
                  <td className="px-4 py-3 font-medium">
                    <Link to="/orgs/$orgId" params={{ orgId: org.id }}>
                      {org.name}
                    </Link>
                  </td>
                  <td className="px-4 py-3 text-slate-600 dark:text-slate-400">{org.slug}</td>
                  <td className="px-4 py-3">{org.role && <Badge tone="indigo">{ROLE_LABELS[org.role]}</Badge>}</td>
                </tr>
              ))}
            </DataTable>
          )}
        </div>
        <CreateOrgCard />
      </div>
    </>
  );
}

function CreateOrgCard() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const form = useForm({ name: '', slug: '' }, () => ({
    name: [required('Name'), maxLength('Name', 255)],
    slug: [(value: string) => (SLUG.test(value) ? undefined : 'Lower-case letters, digits and inner hyphens (at most 64)')],
  }));
  const onSubmit = form.handleSubmit(async (values) => {
    const org = await unwrap(api.POST('/api/v1/orgs', { body: { name: values.name.trim(), slug: values.slug } }));
    await queryClient.invalidateQueries({ queryKey: myOrgsKey });
    toast.success(`${org.name} is created; you are its owner.`);
    await navigate({ to: '/orgs/$orgId', params: { orgId: org.id } });
  });
  const name = form.field('name');
  return (
    <Card aria-labelledby="create-org-title">
      <h2 id="create-org-title" className="mb-3 text-lg font-semibold">
        Create an organization
      </h2>
      <form ref={form.formRef} onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={form.formError} />
        <TextField
          label="Name"
          {...name}
          onChange={(event) => {
            const previous = form.values.name;
            name.onChange(event);
            // The slug follows the name until someone edits it.
            if (form.values.slug === slugFrom(previous)) {
              form.setValues((current) => ({ ...current, slug: slugFrom(event.target.value) }));
            }
          }}
        />
        <TextField label="Slug" hint="A short unique name, e.g. acme." {...form.field('slug')} />
        <Button type="submit" busy={form.submitting}>
          Create organization
        </Button>
      </form>
    </Card>
  );
}
