// The sign-in providers linked to an account, each with an unlink button: in Settings for
// the user's own, in the admin user dialog for anyone's. The server refuses to unlink the
// last way to sign in and says why; the message is shown as it comes.
import type { IdentityPublic } from '../api/types';
import { formatDateTime } from '../lib/format';
import { Button } from './ui';

export type Identity = IdentityPublic;

export function IdentitiesList({
  identities,
  busyId,
  onUnlink,
  emptyText,
}: {
  identities: Identity[];
  busyId: string | null;
  onUnlink: (identity: Identity) => void;
  emptyText: string;
}) {
  if (identities.length === 0) return <p className="text-sm text-slate-600 dark:text-slate-400">{emptyText}</p>;
  return (
    <ul aria-label="Linked accounts" className="divide-y divide-slate-100 dark:divide-slate-800">
      {identities.map((identity) => (
        <li key={identity.id} className="flex flex-wrap items-center justify-between gap-3 py-3">
          <div className="min-w-0">
            <p className="text-sm font-medium">
              {identity.display_name}
              {identity.email && <span className="font-normal text-slate-600 dark:text-slate-400"> · {identity.email}</span>}
            </p>
            <p className="text-xs text-slate-600 dark:text-slate-400">
              linked {formatDateTime(identity.linked_at)}
              {identity.last_used_at && ` · last used ${formatDateTime(identity.last_used_at)}`}
            </p>
          </div>
          <Button
            variant="ghostDanger"
            size="sm"
            aria-label={`Unlink ${identity.display_name}`}
            busy={busyId === identity.id}
            onClick={() => onUnlink(identity)}
          >
            Unlink
          </Button>
        </li>
      ))}
    </ul>
  );
}
