// One button per sign-in provider the server offers (GET /login/providers), for the login
// and sign-up pages. Each is a plain link: the browser goes to the server, which redirects to
// the provider, which sends it back to /login/callback.
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { authorizeHref } from '../lib/sign-in-providers';

/** The providers the server offers (GET /login/providers), cached a while: they change only with its settings. */
export function useLoginProviders(enabled = true) {
  return useQuery({
    queryKey: ['login-providers'],
    queryFn: () => unwrap(api.GET('/api/v1/login/providers')),
    staleTime: 5 * 60_000,
    enabled,
  });
}

export function ProviderButtons({ verb, redirectTo = '/' }: { verb: 'Sign in' | 'Sign up'; redirectTo?: string }) {
  const providers = useLoginProviders();
  const list = providers.data ?? [];
  if (list.length === 0) return null;
  return (
    <div className="mt-6">
      <div className="mb-4 flex items-center gap-3 text-xs text-slate-500 dark:text-slate-400">
        <span className="h-px flex-1 bg-slate-200 dark:bg-slate-700" />
        or
        <span className="h-px flex-1 bg-slate-200 dark:bg-slate-700" />
      </div>
      <ul className="space-y-2">
        {list.map((provider) => (
          <li key={provider.name}>
            <a
              href={authorizeHref(provider.name, redirectTo)}
              className="flex w-full items-center justify-center rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 no-underline shadow-sm hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100 dark:hover:bg-slate-800"
            >
              {verb} with {provider.display_name}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}
