import { dismissToast, useToasts } from '../lib/toast';
import { cx } from './ui';

export function Toaster() {
  const toasts = useToasts();
  return (
    // Polite live region: screen readers announce toasts without stealing focus.
    <div
      aria-live="polite"
      className="pointer-events-none fixed inset-x-0 bottom-0 z-50 flex flex-col items-center gap-2 p-4 sm:items-end"
    >
      {toasts.map((t) => (
        <div
          key={t.id}
          role={t.kind === 'error' ? 'alert' : 'status'}
          data-toast={t.kind}
          className={cx(
            'pointer-events-auto flex w-full max-w-sm items-start gap-3 rounded-md px-4 py-3 text-sm shadow-lg',
            t.kind === 'success' && 'bg-green-700 text-white',
            t.kind === 'error' && 'bg-red-700 text-white',
            t.kind === 'info' && 'bg-slate-800 text-white',
          )}
        >
          <p className="flex-1">{t.message}</p>
          <button
            type="button"
            className="rounded px-1 text-white/80 hover:text-white"
            aria-label="Dismiss notification"
            onClick={() => dismissToast(t.id)}
          >
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}
