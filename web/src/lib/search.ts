// Parsing URL search params defensively: a hand-edited or stale URL falls back to defaults.
import { PAGE_SIZES } from '../components/Pagination';

export function positiveInt(value: unknown, fallback: number): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isInteger(n) && n >= 1 ? n : fallback;
}

export function pageSize(value: unknown, fallback = 10): number {
  const n = positiveInt(value, fallback);
  return (PAGE_SIZES as readonly number[]).includes(n) ? n : fallback;
}

export function oneOf<T extends string>(value: unknown, options: readonly T[]): T | undefined {
  return options.find((option) => option === value);
}
