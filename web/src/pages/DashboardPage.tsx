import { Link } from '@tanstack/react-router';
import { displayName, useMe } from '../auth/session';
import { Badge } from '../components/ui';
import { adminHome, can } from '../lib/permissions';

function Tile({
  to,
  title,
  children,
}: {
  to: '/items' | '/settings' | '/admin' | '/admin/audit';
  title: string;
  children: string;
}) {
  return (
    <li>
      <Link
        to={to}
        className="block h-full rounded-lg border border-slate-200 bg-white p-5 text-slate-900 no-underline shadow-sm transition hover:border-indigo-400 hover:no-underline dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100 dark:hover:border-indigo-500"
      >
        <span className="font-semibold text-indigo-600 dark:text-indigo-400">{title} →</span>
        <span className="mt-1 block text-sm text-slate-600 dark:text-slate-400">{children}</span>
      </Link>
    </li>
  );
}

export function DashboardPage() {
  const { data: me } = useMe();
  if (!me) return null; // AppLayout renders pages only once the account is loaded
  const adminPage = adminHome(me);
  return (
    <>
      <h1 className="text-2xl font-semibold text-slate-900 dark:text-white">Hi, {displayName(me)}</h1>
      <p className="mt-1 flex flex-wrap items-center gap-2 text-sm text-slate-600 dark:text-slate-400">
        Signed in as {me.email}
        {me.is_superuser && <Badge tone="indigo">Superuser</Badge>}
        {me.is_verified ? <Badge tone="green">Email verified</Badge> : <Badge tone="amber">Email not verified</Badge>}
      </p>
      <h2 className="mt-8 mb-3 text-sm font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">
        What you can do
      </h2>
      <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        <Tile to="/items" title="Items">
          {can(me, 'items:read_all') ? 'Browse, add and edit everyone’s items.' : 'Keep a list of your items: add, edit, delete.'}
        </Tile>
        <Tile to="/settings" title="Settings">
          Your profile, password, appearance, and your account.
        </Tile>
        {adminPage === '/admin' && (
          <Tile to="/admin" title="Admin">
            {can(me, 'users:write') ? 'Manage users: search, add, edit, deactivate, delete.' : 'Look up users and their roles.'}
          </Tile>
        )}
        {adminPage === '/admin/audit' && (
          <Tile to="/admin/audit" title="Audit log">
            Security events: sign-ins, changes, roles.
          </Tile>
        )}
      </ul>
    </>
  );
}
