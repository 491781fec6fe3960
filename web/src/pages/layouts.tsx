import { useQueryClient } from '@tanstack/react-query';
import { Link, Outlet, useNavigate, useRouterState } from '@tanstack/react-router';
import { type ReactNode, useEffect, useState } from 'react';
import { errorMessage } from '../api/errors';
import { displayName, signOut, useMe } from '../auth/session';
import { OrgSwitcher } from '../components/OrgSwitcher';
import { Button, cx, ErrorState, LoadingState } from '../components/ui';
import { VerifyBanner } from '../components/VerifyBanner';
import { adminHome } from '../lib/permissions';
import { toast } from '../lib/toast';

function Logo() {
  return (
    <span className="flex items-center gap-2 text-lg font-semibold text-slate-900 dark:text-white">
      <img src="/favicon.svg" alt="" className="h-7 w-7" />
      Roster
    </span>
  );
}

/** The bar at the top of every page: the logo (home), then what the page puts beside it. */
function HeaderBar({ children }: { children: ReactNode }) {
  return (
    <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <div className="mx-auto flex max-w-6xl items-center justify-between gap-4 px-4 py-3">
        <Link to="/" className="no-underline hover:no-underline">
          <Logo />
        </Link>
        {children}
      </div>
    </header>
  );
}

export function SkipLink() {
  return (
    <a
      href="#main"
      className="sr-only rounded bg-indigo-600 px-3 py-2 text-white focus:not-sr-only focus:fixed focus:left-2 focus:top-2 focus:z-50"
    >
      Skip to content
    </a>
  );
}

/** For pages outside the app (not found): the logo and a way in. */
export function SignedOutHeader() {
  return (
    <HeaderBar>
      <nav aria-label="Main" className="flex items-center gap-3 text-sm">
        <Link to="/login">Sign in</Link>
        <Link to="/signup">Sign up</Link>
      </nav>
    </HeaderBar>
  );
}

/** Centered card for sign in, sign up and the password pages. */
export function AuthLayout() {
  return (
    <div className="flex min-h-screen flex-col items-center justify-center px-4 py-10">
      <SkipLink />
      <div className="mb-6">
        <Logo />
      </div>
      <main
        id="main"
        className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-700 dark:bg-slate-900"
      >
        <Outlet />
      </main>
    </div>
  );
}

export function useSignOut() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return async () => {
    await signOut(queryClient);
    toast.info('You are signed out.');
    await navigate({ to: '/login' });
  };
}

const navLinkClass =
  'block rounded-md px-3 py-2 text-sm font-medium text-slate-700 no-underline hover:bg-slate-100 hover:no-underline dark:text-slate-200 dark:hover:bg-slate-800';
const activeNavLinkClass = 'bg-indigo-50 text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300';

/** The signed-in app's header: logo, navigation, who is signed in, sign out. */
export function AppHeader() {
  const me = useMe();
  const signOutNow = useSignOut();
  const [signingOut, setSigningOut] = useState(false);
  const handleSignOut = async () => {
    setSigningOut(true);
    try {
      await signOutNow();
    } finally {
      setSigningOut(false);
    }
  };
  const [menuOpen, setMenuOpen] = useState(false);
  const pathname = useRouterState({ select: (s) => s.location.pathname });

  useEffect(() => setMenuOpen(false), [pathname]); // a navigation closes the mobile menu

  const adminPage = adminHome(me.data);
  const links = [
    { to: '/', label: 'Dashboard', exact: true },
    { to: '/items', label: 'Items' },
    { to: '/orgs', label: 'Organizations' },
    ...(adminPage ? [{ to: adminPage, label: 'Admin' }] : []),
    { to: '/settings', label: 'Settings' },
  ] as const;

  return (
    <HeaderBar>
      <Button
        variant="ghost"
        className="sm:hidden"
        aria-expanded={menuOpen}
        aria-controls="main-nav"
        onClick={() => setMenuOpen((open) => !open)}
      >
        Menu
      </Button>
      <nav
        id="main-nav"
        aria-label="Main"
        className={cx(
          'absolute inset-x-0 top-14 z-40 border-b border-slate-200 bg-white px-4 pb-3 shadow-md sm:static sm:flex sm:border-0 sm:p-0 sm:shadow-none dark:border-slate-800 dark:bg-slate-900',
          menuOpen ? 'block' : 'hidden',
        )}
      >
        <ul className="flex flex-col gap-1 sm:flex-row sm:items-center">
          {links.map((link) => (
            <li key={link.to}>
              <Link
                to={link.to}
                activeOptions={{ exact: 'exact' in link }}
                className={navLinkClass}
                activeProps={{ className: activeNavLinkClass, 'aria-current': 'page' }}
              >
                {link.label}
              </Link>
            </li>
          ))}
          <li className="mt-2 border-t border-slate-200 pt-2 sm:ml-3 sm:mt-0 sm:border-0 sm:border-l sm:pl-3 sm:pt-0 dark:border-slate-700">
            <div className="flex items-center justify-between gap-3">
              {me.data && <OrgSwitcher />}
              {me.data && (
                <span className="max-w-48 truncate text-sm text-slate-600 dark:text-slate-400" title={me.data.email}>
                  {displayName(me.data)}
                </span>
              )}
              <Button variant="secondary" busy={signingOut} onClick={handleSignOut}>
                Sign out
              </Button>
            </div>
          </li>
        </ul>
      </nav>
    </HeaderBar>
  );
}

export function AppLayout() {
  const me = useMe();
  return (
    <div className="min-h-screen">
      <SkipLink />
      <AppHeader />
      {me.data && <VerifyBanner me={me.data} />}
      <main id="main" className="mx-auto max-w-6xl px-4 py-8">
        {me.isPending ? (
          <LoadingState label="Loading your account…" />
        ) : me.isError ? (
          <ErrorState message={errorMessage(me.error)} onRetry={() => void me.refetch()} />
        ) : (
          <Outlet />
        )}
      </main>
    </div>
  );
}
