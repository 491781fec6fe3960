// The landing page of an invitation link. Signed in with the invited address: accept. Signed
// in as someone else: say so. Signed out: sign in and come back here to accept, or sign up with
// the address filled in and the token along: the sign-up accepts it (see SignupPage).
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import { errorMessage } from '../api/errors';
import { chooseOrganization, ensureSession, meQuery } from '../auth/session';
import { myOrgsKey } from '../components/OrgSwitcher';
import { Button, ErrorState, FormError, LoadingState } from '../components/ui';
import { ROLE_LABELS } from '../lib/orgs';
import { toast } from '../lib/toast';

export function InvitationPage({ token }: { token?: string }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [accepting, setAccepting] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const preview = useQuery({
    queryKey: ['invitation', token],
    enabled: Boolean(token),
    retry: false,
    queryFn: () => unwrap(api.POST('/api/v1/invitations/preview', { body: { token: token ?? '' } })),
  });
  const viewer = useQuery({
    queryKey: ['invitation-viewer'],
    queryFn: async () => ((await ensureSession().catch(() => false)) ? queryClient.fetchQuery(meQuery) : null),
  });

  if (!token) return <ErrorState message="This link has no invitation in it. Open the link from the email again." />;
  if (preview.isPending || viewer.isPending) return <LoadingState label="Opening the invitation…" />;
  if (preview.isError) return <ErrorState message={errorMessage(preview.error)} />;

  const invitation = preview.data;
  const here = `/invitation?token=${encodeURIComponent(token)}`;
  const me = viewer.data;
  const isForMe = me && me.email.trim().toLowerCase() === invitation.email.trim().toLowerCase();

  const accept = async () => {
    setAccepting(true);
    setFailure(null);
    try {
      const org = await unwrap(api.POST('/api/v1/invitations/accept', { body: { token } }));
      await queryClient.invalidateQueries({ queryKey: myOrgsKey });
      await queryClient.invalidateQueries({ queryKey: meQuery.queryKey });
      // Land acting for the organization just joined.
      await chooseOrganization(queryClient, org.id).catch(() => {});
      toast.success(`Welcome to ${org.name}!`);
      await navigate({ to: '/orgs/$orgId', params: { orgId: org.id } });
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setAccepting(false);
    }
  };

  return (
    <>
      <h1 className="text-xl font-semibold">Join {invitation.organization.name}</h1>
      <p className="mt-2 mb-5 text-sm text-slate-600 dark:text-slate-400">
        You are invited as {ROLE_LABELS[invitation.role].toLowerCase()}, with the address <strong>{invitation.email}</strong>.
      </p>
      <FormError message={failure} />
      {me ? (
        isForMe ? (
          <Button className="w-full" busy={accepting} onClick={() => void accept()}>
            Accept the invitation
          </Button>
        ) : (
          <p className="text-sm">
            You are signed in as {me.email}. Sign out and sign in with {invitation.email} to accept this invitation.
          </p>
        )
      ) : invitation.account_exists ? (
        <Link to="/login" search={{ redirect: here }} className="block text-center font-medium">
          Sign in to accept
        </Link>
      ) : (
        <div className="space-y-3 text-center text-sm">
          <Link
            to="/signup"
            search={{ email: invitation.email, redirect: here, invitation: token }}
            className="block font-medium"
          >
            Create your account to accept
          </Link>
          <p>
            Already have one?{' '}
            <Link to="/login" search={{ redirect: here }}>
              Sign in
            </Link>
          </p>
        </div>
      )}
    </>
  );
}
