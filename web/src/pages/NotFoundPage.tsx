import { Link } from '@tanstack/react-router';

export function NotFoundPage() {
  return (
    <main id="main" className="mx-auto max-w-md px-4 py-24 text-center">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="mt-2 text-slate-600 dark:text-slate-400">There is nothing at this address.</p>
      <p className="mt-6">
        <Link to="/">Go to the dashboard</Link>
      </p>
    </main>
  );
}
