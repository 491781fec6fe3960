// Routes, in code (no file-based codegen). Two layouts: the signed-out pages (AuthLayout)
// and the signed-in app (AppLayout), whose guard sends visitors without a token to /login.
import type { QueryClient } from '@tanstack/react-query';
import { createRootRouteWithContext, createRoute, createRouter, Outlet, redirect } from '@tanstack/react-router';
import { setOrgClaimChangedListener, setSessionLostListener } from './api/client';
import { ensureSession, forgetSession, isSignedIn, meQuery, refreshSession, signOut } from './auth/session';
import { onSessionEventElsewhere } from './auth/token-store';
import { Toaster } from './components/Toaster';
import { safeRedirect } from './lib/format';
import { can } from './lib/permissions';
import { toast } from './lib/toast';
import { AdminRolesPage } from './pages/AdminRolesPage';
import { AdminUsersPage, parseUsersSearch } from './pages/AdminUsersPage';
import { AdminWebhooksPage } from './pages/AdminWebhooksPage';
import { AuditLogPage, parseAuditSearch } from './pages/AuditLogPage';
import { DashboardPage } from './pages/DashboardPage';
import { DevMailboxPage } from './pages/DevMailboxPage';
import { InvitationPage } from './pages/InvitationPage';
import { ItemsPage, parseItemsSearch } from './pages/ItemsPage';
import { LoginCallbackPage } from './pages/LoginCallbackPage';
import { LoginPage } from './pages/LoginPage';
import { AppLayout, AuthLayout } from './pages/layouts';
import { NotFoundPage } from './pages/NotFoundPage';
import { OrgPage } from './pages/OrgPage';
import { OrgsPage } from './pages/OrgsPage';
import { RecoverPasswordPage } from './pages/RecoverPasswordPage';
import { ResetPasswordPage } from './pages/ResetPasswordPage';
import { RestoreEmailPage } from './pages/RestoreEmailPage';
import { SettingsPage } from './pages/SettingsPage';
import { SignupPage } from './pages/SignupPage';
import { VerifyEmailPage } from './pages/VerifyEmailPage';

type RouterContext = { queryClient: QueryClient };

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: () => (
    <>
      <Outlet />
      <Toaster />
    </>
  ),
  notFoundComponent: NotFoundPage,
});

// ---- signed-out pages -------------------------------------------------------------

const authLayout = createRoute({ getParentRoute: () => rootRoute, id: 'auth', component: AuthLayout });

/** Signed-in people who open /login or /signup go to the app instead. */
async function leaveIfSignedIn() {
  if (await ensureSession().catch(() => false)) throw redirect({ to: '/' });
}

const loginRoute = createRoute({
  getParentRoute: () => authLayout,
  path: '/login',
  validateSearch: (search: Record<string, unknown>): { redirect?: string; ended?: true } => ({
    ...(typeof search.redirect === 'string' ? { redirect: search.redirect } : {}),
    ...(search.ended === true || search.ended === 'true' ? { ended: true as const } : {}),
  }),
  beforeLoad: leaveIfSignedIn,
  component: function LoginRoute() {
    const { redirect: target, ended } = loginRoute.useSearch();
    return <LoginPage redirectTo={safeRedirect(target)} sessionEnded={ended === true} />;
  },
});

// Where a sign-in with another provider ends (the server redirects here); reachable signed in or
// not: linking a provider from Settings ends here too.
const loginCallbackRoute = createRoute({
  getParentRoute: () => authLayout,
  path: '/login/callback',
  validateSearch: (search: Record<string, unknown>) => {
    const text = (key: string) => (typeof search[key] === 'string' ? (search[key] as string) : undefined);
    return { error: text('error'), provider: text('provider'), linked: text('linked'), redirect_to: text('redirect_to') };
  },
  component: function LoginCallbackRoute() {
    const { redirect_to: target, ...rest } = loginCallbackRoute.useSearch();
    return <LoginCallbackPage search={{ ...rest, redirectTo: safeRedirect(target) }} />;
  },
});

const signupRoute = createRoute({
  getParentRoute: () => authLayout,
  path: '/signup',
  validateSearch: (search: Record<string, unknown>): { email?: string; redirect?: string; invitation?: string } => ({
    ...(typeof search.email === 'string' ? { email: search.email } : {}),
    ...(typeof search.redirect === 'string' ? { redirect: search.redirect } : {}),
    ...(typeof search.invitation === 'string' ? { invitation: search.invitation } : {}),
  }),
  beforeLoad: leaveIfSignedIn,
  component: function SignupRoute() {
    const { email, redirect: target, invitation } = signupRoute.useSearch();
    return <SignupPage email={email} redirectTo={safeRedirect(target)} invitation={invitation} />;
  },
});

const recoverRoute = createRoute({
  getParentRoute: () => authLayout,
  path: '/recover-password',
  component: RecoverPasswordPage,
});

// Reachable signed in or not: the emailed link may be opened in a signed-in browser.
const resetRoute = createRoute({
  getParentRoute: () => authLayout,
  path: '/reset-password',
  validateSearch: (search: Record<string, unknown>): { token?: string } =>
    typeof search.token === 'string' ? { token: search.token } : {},
  component: function ResetRoute() {
    const { token } = resetRoute.useSearch();
    return <ResetPasswordPage token={token} />;
  },
});

// Also reachable signed in or not, like the reset link.
const verifyRoute = createRoute({
  getParentRoute: () => authLayout,
  path: '/verify-email',
  validateSearch: (search: Record<string, unknown>): { token?: string } =>
    typeof search.token === 'string' ? { token: search.token } : {},
  component: function VerifyRoute() {
    const { token } = verifyRoute.useSearch();
    return <VerifyEmailPage token={token} />;
  },
});

// The link sent to the old address after an email change; reachable signed in or not.
const restoreEmailRoute = createRoute({
  getParentRoute: () => authLayout,
  path: '/restore-email',
  validateSearch: (search: Record<string, unknown>): { token?: string } =>
    typeof search.token === 'string' ? { token: search.token } : {},
  component: function RestoreEmailRoute() {
    const { token } = restoreEmailRoute.useSearch();
    return <RestoreEmailPage token={token} />;
  },
});

// An invitation's link; reachable signed in or not (the page offers sign-in or sign-up).
const invitationRoute = createRoute({
  getParentRoute: () => authLayout,
  path: '/invitation',
  validateSearch: (search: Record<string, unknown>): { token?: string } =>
    typeof search.token === 'string' ? { token: search.token } : {},
  component: function InvitationRoute() {
    const { token } = invitationRoute.useSearch();
    return <InvitationPage token={token} />;
  },
});

// Local development only (the API answers 404 elsewhere); no sign-in needed, like the route it reads.
const devMailboxRoute = createRoute({ getParentRoute: () => rootRoute, path: '/dev/mailbox', component: DevMailboxPage });

// ---- signed-in app ----------------------------------------------------------------

const appLayout = createRoute({
  getParentRoute: () => rootRoute,
  id: 'app',
  // A reload or a new tab has no token in memory yet: get one from the refresh cookie first.
  // When the server cannot be reached, stay: AppLayout shows the error with a retry.
  beforeLoad: async ({ location }) => {
    const signedIn = await ensureSession().catch(() => null);
    if (signedIn === false) throw redirect({ to: '/login', search: { redirect: location.href } });
  },
  component: AppLayout,
});

const dashboardRoute = createRoute({ getParentRoute: () => appLayout, path: '/', component: DashboardPage });

const itemsRoute = createRoute({
  getParentRoute: () => appLayout,
  path: '/items',
  validateSearch: parseItemsSearch,
  component: function ItemsRoute() {
    const search = itemsRoute.useSearch();
    const navigate = itemsRoute.useNavigate();
    return <ItemsPage search={search} onSearchChange={(next) => navigate({ search: next })} />;
  },
});

const settingsRoute = createRoute({ getParentRoute: () => appLayout, path: '/settings', component: SettingsPage });

const orgsRoute = createRoute({ getParentRoute: () => appLayout, path: '/orgs', component: OrgsPage });

const orgRoute = createRoute({
  getParentRoute: () => appLayout,
  path: '/orgs/$orgId',
  component: function OrgRoute() {
    const { orgId } = orgRoute.useParams();
    return <OrgPage orgId={orgId} />;
  },
});

// The admin links are hidden from those without the permission; this sends away anyone who types the URL.
function holdersOf(permission: string) {
  return async ({ context }: { context: RouterContext }) => {
    const me = await context.queryClient.ensureQueryData(meQuery).catch(() => null);
    if (me && !can(me, permission)) {
      toast.error('Your account cannot open this part of the admin area.');
      throw redirect({ to: '/' });
    }
  };
}

const adminRoute = createRoute({
  getParentRoute: () => appLayout,
  path: '/admin',
  validateSearch: parseUsersSearch,
  beforeLoad: holdersOf('users:read'),
  component: function AdminRoute() {
    const search = adminRoute.useSearch();
    const navigate = adminRoute.useNavigate();
    return <AdminUsersPage search={search} onSearchChange={(next) => navigate({ search: next, replace: true })} />;
  },
});

const auditRoute = createRoute({
  getParentRoute: () => appLayout,
  path: '/admin/audit',
  validateSearch: parseAuditSearch,
  beforeLoad: holdersOf('audit:read'),
  component: function AuditRoute() {
    const search = auditRoute.useSearch();
    const navigate = auditRoute.useNavigate();
    return <AuditLogPage search={search} onSearchChange={(next) => navigate({ search: next })} />;
  },
});

const webhooksRoute = createRoute({
  getParentRoute: () => appLayout,
  path: '/admin/webhooks',
  beforeLoad: holdersOf('webhooks:manage'),
  component: AdminWebhooksPage,
});

// Open to every signed-in user: the page itself tells those who may not define roles (all but
// superusers, who alone see its link) that it is not theirs.
const rolesRoute = createRoute({ getParentRoute: () => appLayout, path: '/admin/roles', component: AdminRolesPage });

const routeTree = rootRoute.addChildren([
  authLayout.addChildren([
    loginRoute,
    loginCallbackRoute,
    signupRoute,
    recoverRoute,
    resetRoute,
    verifyRoute,
    restoreEmailRoute,
    invitationRoute,
  ]),
  devMailboxRoute,
  appLayout.addChildren([
    dashboardRoute,
    itemsRoute,
    settingsRoute,
    orgsRoute,
    orgRoute,
    adminRoute,
    auditRoute,
    webhooksRoute,
    rolesRoute,
  ]),
]);

export function createAppRouter(queryClient: QueryClient) {
  const router = createRouter({ routeTree, context: { queryClient }, defaultPreload: false, scrollRestoration: true });

  // The API said the token is no good any more (expired, user deleted or deactivated).
  setSessionLostListener(() => {
    if (!isSignedIn()) return;
    void signOut(queryClient, { revoke: false });
    void router.navigate({ to: '/login', search: { redirect: router.state.location.href, ended: true } });
  });

  // The token's organization claim no longer matches the membership (removed, role changed):
  // the session still counts; a refresh gives a token that matches, and the pages read again.
  setOrgClaimChangedListener(() => {
    void refreshSession()
      .catch(() => false)
      .then(async (ok) => {
        if (!ok) return;
        toast.info('Your access to an organization changed.');
        await queryClient.invalidateQueries();
      });
  });

  // Another tab signed out, or signed in (perhaps as someone else): follow it here.
  onSessionEventElsewhere((event) => {
    forgetSession(queryClient);
    if (event === 'signed-out') {
      void router.navigate({ to: '/login' });
      return;
    }
    // The new session's refresh cookie is shared by every tab: take a token from it.
    void refreshSession()
      .catch(() => false)
      .then(() => router.invalidate());
  });

  return router;
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
}
