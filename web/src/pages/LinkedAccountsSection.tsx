// Settings → Linked accounts: the sign-in providers linked to this account, a way to link the
// others (the browser goes to the provider and comes back to /login/callback?linked=…), and
// unlinking. Linking needs a recent sign-in, or the current password in a dialog.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import { ApiError, errorMessage } from '../api/errors';
import { IdentitiesList, type Identity } from '../components/IdentitiesList';
import { PasswordConfirmDialog } from '../components/PasswordConfirmDialog';
import { useLoginProviders } from '../components/ProviderButtons';
import { Button, Card, ErrorState, LoadingState } from '../components/ui';
import { toast } from '../lib/toast';

const identitiesKey = ['my-identities'];
/** The API's answer when linking needs the password the session has not proved recently. */
const CONFIRM_PASSWORD_DETAIL = 'Confirm your password to link a sign-in provider';

type Provider = { name: string; display_name: string };

export function LinkedAccountsSection() {
  const queryClient = useQueryClient();
  const providers = useLoginProviders();
  const identities = useQuery({ queryKey: identitiesKey, queryFn: () => unwrap(api.GET('/api/v1/users/me/identities')) });
  const [awaitingPassword, setAwaitingPassword] = useState<Provider | null>(null);
  const [linking, setLinking] = useState<string | null>(null);

  async function startLink(provider: Provider, currentPassword?: string) {
    const { authorization_url } = await unwrap(
      api.POST('/api/v1/users/me/identities/{provider}/link', {
        params: { path: { provider: provider.name } },
        body: { redirect_to: '/settings', ...(currentPassword ? { current_password: currentPassword } : {}) },
      }),
    );
    window.location.assign(authorization_url);
  }

  async function link(provider: Provider) {
    setLinking(provider.name);
    try {
      await startLink(provider);
    } catch (error) {
      setLinking(null);
      if (error instanceof ApiError && error.status === 403 && error.detail === CONFIRM_PASSWORD_DETAIL) {
        setAwaitingPassword(provider);
        return;
      }
      toast.error(errorMessage(error));
    }
  }

  const unlink = useMutation({
    mutationFn: (identity: Identity) =>
      unwrap(api.DELETE('/api/v1/users/me/identities/{identity_id}', { params: { path: { identity_id: identity.id } } })),
    onSuccess: async (_answer, identity) => {
      toast.success(`${identity.display_name} is unlinked.`);
      await queryClient.invalidateQueries({ queryKey: identitiesKey });
    },
    onError: (error) => toast.error(errorMessage(error)),
  });

  const offered = providers.data ?? [];
  // Nothing to show on a server without providers, unless something is still linked.
  if (offered.length === 0 && (identities.data?.count ?? 0) === 0) return null;
  const linked = new Set((identities.data?.data ?? []).map((identity) => identity.provider));
  const linkable = offered.filter((provider) => !linked.has(provider.name));

  return (
    <Card aria-labelledby="linked-title" className="lg:col-span-2">
      <div className="mb-4">
        <h2 id="linked-title" className="text-lg font-semibold">
          Linked accounts
        </h2>
        <p className="mt-0.5 text-sm text-slate-600 dark:text-slate-400">
          Sign in with these instead of your password. You can always unlink one, as long as another way to sign in remains.
        </p>
      </div>
      {identities.isPending ? (
        <LoadingState label="Loading linked accounts…" />
      ) : identities.isError ? (
        <ErrorState message={errorMessage(identities.error)} onRetry={() => void identities.refetch()} />
      ) : (
        <IdentitiesList
          identities={identities.data.data}
          busyId={unlink.isPending ? (unlink.variables?.id ?? null) : null}
          onUnlink={(identity) => unlink.mutate(identity)}
          emptyText="No account is linked yet."
        />
      )}
      {linkable.length > 0 && (
        <div className="mt-4 flex flex-wrap gap-2">
          {linkable.map((provider) => (
            <Button key={provider.name} variant="secondary" busy={linking === provider.name} onClick={() => void link(provider)}>
              Link {provider.display_name}
            </Button>
          ))}
        </div>
      )}
      <PasswordConfirmDialog
        open={awaitingPassword !== null}
        title="Confirm your password"
        description={`To link ${awaitingPassword?.display_name ?? ''} to your account, enter your current password.`}
        confirmLabel={`Link ${awaitingPassword?.display_name ?? ''}`}
        onConfirm={async (password) => {
          if (awaitingPassword) await startLink(awaitingPassword, password);
        }}
        onClose={() => setAwaitingPassword(null)}
      />
    </Card>
  );
}
