import { rangeLabel } from '../lib/format';
import { Button } from './ui';

export const PAGE_SIZES = [10, 25, 50, 100] as const;

export function Pagination({
  page,
  pageSize,
  count,
  shown,
  onPage,
  onPageSize,
  label,
}: {
  page: number; // 1-based
  pageSize: number;
  count: number;
  shown: number;
  onPage: (page: number) => void;
  onPageSize: (size: number) => void;
  label: string; // what is being paged, for screen readers
}) {
  const pages = Math.max(1, Math.ceil(count / pageSize));
  return (
    <nav aria-label={`${label} pages`} className="mt-4 flex flex-wrap items-center justify-between gap-3 text-sm">
      <p className="text-slate-600 dark:text-slate-400" aria-live="polite">
        {rangeLabel((page - 1) * pageSize, shown, count)}
      </p>
      <div className="flex flex-wrap items-center gap-2">
        <label className="flex items-center gap-2 text-slate-600 dark:text-slate-400">
          Per page
          <select
            value={pageSize}
            onChange={(e) => onPageSize(Number(e.target.value))}
            className="rounded-md border border-slate-300 bg-white px-2 py-1 text-slate-900 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100"
          >
            {PAGE_SIZES.map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </select>
        </label>
        <Button variant="secondary" disabled={page <= 1} onClick={() => onPage(page - 1)}>
          Previous
        </Button>
        <span className="tabular-nums text-slate-700 dark:text-slate-300">
          Page {Math.min(page, pages)} of {pages}
        </span>
        <Button variant="secondary" disabled={page >= pages} onClick={() => onPage(page + 1)}>
          Next
        </Button>
      </div>
    </nav>
  );
}
