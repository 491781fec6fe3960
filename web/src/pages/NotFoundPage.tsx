import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { meQuery } from '../auth/session';
import { mayHaveSession } from '../auth/session-marker';
import { AppHeader, SignedOutHeader, SkipLink } from './layouts';

export function NotFoundPage() {
  // The app's own header, signed in or not; a signed-out visitor costs no request.
  const me = useQuery({ ...meQuery, enabled: mayHaveSession(), retry: false });
  return (
    <div className="min-h-screen">
      <SkipLink />
      {me.data ? <AppHeader /> : <SignedOutHeader />}
      <main id="main" className="mx-auto max-w-md px-4 py-24 text-center">
        <h1 className="text-2xl font-semibold">Page not found</h1>
        <p className="mt-2 text-slate-600 dark:text-slate-400">There is nothing at this address.</p>
        <p className="mt-6">
          <Link to="/">Go to the dashboard</Link>
        </p>
      </main>
    </div>
  );
}
