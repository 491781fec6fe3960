import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, unwrap } from '../api/client';
import { errorMessage } from '../api/errors';
import type { ItemPublic } from '../api/types';
import { useMe } from '../auth/session';
import { ConfirmDialog, Dialog } from '../components/Dialog';
import { Pagination } from '../components/Pagination';
import { Button, DataTable, EmptyState, ErrorState, FormError, LoadingState, PageHeader, TextField } from '../components/ui';
import { formatDate } from '../lib/format';
import { can } from '../lib/permissions';
import { pageSize, positiveInt } from '../lib/search';
import { toast } from '../lib/toast';
import { useForm } from '../lib/useForm';
import { LIMITS, maxLength, required } from '../lib/validation';

export type ItemsSearch = { page: number; size: number };

export function parseItemsSearch(search: Record<string, unknown>): ItemsSearch {
  return { page: positiveInt(search.page, 1), size: pageSize(search.size) };
}

function ItemForm({ item, onDone }: { item?: ItemPublic; onDone: () => void }) {
  const queryClient = useQueryClient();
  const form = useForm({ title: item?.title ?? '', description: item?.description ?? '' }, () => ({
    title: [required('Title'), maxLength('Title', LIMITS.titleMax)],
    description: [maxLength('Description', LIMITS.descriptionMax)],
  }));

  const onSubmit = form.handleSubmit(async (values) => {
    const body = { title: values.title.trim(), description: values.description.trim() || null };
    if (item) {
      await unwrap(api.PUT('/api/v1/items/{id}', { params: { path: { id: item.id } }, body }));
      toast.success('Item saved.');
    } else {
      await unwrap(api.POST('/api/v1/items/', { body }));
      toast.success('Item added.');
    }
    await queryClient.invalidateQueries({ queryKey: ['items'] });
    onDone();
  });

  return (
    <form ref={form.formRef} onSubmit={onSubmit} noValidate className="space-y-4">
      <FormError message={form.formError} />
      <TextField label="Title" autoFocus {...form.field('title')} />
      <TextField label="Description (optional)" {...form.field('description')} />
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" busy={form.submitting}>
          {item ? 'Save item' : 'Add item'}
        </Button>
      </div>
    </form>
  );
}

export function ItemsPage({ search, onSearchChange }: { search: ItemsSearch; onSearchChange: (next: ItemsSearch) => void }) {
  const { data: me } = useMe();
  const queryClient = useQueryClient();
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<ItemPublic | null>(null);
  const [deleting, setDeleting] = useState<ItemPublic | null>(null);
  const showOwner = can(me, 'items:read_all');

  const skip = (search.page - 1) * search.size;
  const items = useQuery({
    queryKey: ['items', { skip, limit: search.size }],
    queryFn: () => unwrap(api.GET('/api/v1/items/', { params: { query: { skip, limit: search.size } } })),
    placeholderData: keepPreviousData,
  });

  // Deleting the last item of the last page leaves an empty page: step back one.
  useEffect(() => {
    if (items.data && items.data.data.length === 0 && items.data.count > 0 && search.page > 1) {
      onSearchChange({ ...search, page: Math.ceil(items.data.count / search.size) });
    }
  }, [items.data, search, onSearchChange]);

  const remove = useMutation({
    mutationFn: (item: ItemPublic) => unwrap(api.DELETE('/api/v1/items/{id}', { params: { path: { id: item.id } } })),
    onSuccess: async () => {
      toast.success('Item deleted.');
      setDeleting(null);
      await queryClient.invalidateQueries({ queryKey: ['items'] });
    },
    onError: (error) => toast.error(errorMessage(error)),
  });

  return (
    <>
      <PageHeader
        title="Items"
        description={showOwner ? 'Everyone’s items (you are a superuser).' : 'Your items.'}
        actions={<Button onClick={() => setAdding(true)}>Add item</Button>}
      />

      {items.isPending ? (
        <LoadingState label="Loading items…" />
      ) : items.isError ? (
        <ErrorState message={errorMessage(items.error)} onRetry={() => void items.refetch()} />
      ) : items.data.count === 0 ? (
        <EmptyState title="No items yet">Add your first item with the “Add item” button.</EmptyState>
      ) : (
        <>
          <DataTable
            caption="Items"
            columns={['Title', 'Description', showOwner && 'Owner', 'Created']}
            actions
            busy={items.isFetching}
          >
            {items.data.data.map((item) => (
              <tr key={item.id}>
                <td className="px-4 py-3 font-medium break-words">{item.title}</td>
                <td className="px-4 py-3 text-slate-600 break-words dark:text-slate-400">{item.description || '—'}</td>
                {showOwner && <td className="px-4 py-3 text-slate-600 dark:text-slate-400">{item.owner_email ?? '—'}</td>}
                <td className="px-4 py-3 whitespace-nowrap text-slate-600 dark:text-slate-400">{formatDate(item.created_at)}</td>
                <td className="px-4 py-3 text-right whitespace-nowrap">
                  <Button variant="ghost" size="sm" onClick={() => setEditing(item)} aria-label={`Edit ${item.title}`}>
                    Edit
                  </Button>
                  <Button variant="ghostDanger" size="sm" onClick={() => setDeleting(item)} aria-label={`Delete ${item.title}`}>
                    Delete
                  </Button>
                </td>
              </tr>
            ))}
          </DataTable>
          <Pagination
            label="Items"
            page={search.page}
            pageSize={search.size}
            count={items.data.count}
            shown={items.data.data.length}
            onPage={(page) => onSearchChange({ ...search, page })}
            onPageSize={(size) => onSearchChange({ page: 1, size })}
          />
        </>
      )}

      <Dialog open={adding} title="Add item" onClose={() => setAdding(false)}>
        <ItemForm onDone={() => setAdding(false)} />
      </Dialog>
      <Dialog open={editing !== null} title="Edit item" onClose={() => setEditing(null)}>
        {editing && <ItemForm key={editing.id} item={editing} onDone={() => setEditing(null)} />}
      </Dialog>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete item?"
        confirmLabel="Delete item"
        busy={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
        onClose={() => setDeleting(null)}
      >
        <p>“{deleting?.title}” will be deleted. This cannot be undone.</p>
      </ConfirmDialog>
    </>
  );
}
