// Light / dark / system appearance, remembered in localStorage and applied as the `dark`
// class on <html> (Tailwind's dark variant is bound to that class in styles.css).
import { useSyncExternalStore } from 'react';

export type Appearance = 'light' | 'dark' | 'system';
export const APPEARANCES: Appearance[] = ['light', 'dark', 'system'];
const STORAGE_KEY = 'roster.appearance';

const listeners = new Set<() => void>();
const systemDark = typeof window !== 'undefined' ? window.matchMedia('(prefers-color-scheme: dark)') : undefined;

export function getAppearance(): Appearance {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === 'light' || stored === 'dark' || stored === 'system') return stored;
  } catch {
    // storage disabled: fall through to the default
  }
  return 'system';
}

export function resolveAppearance(appearance: Appearance, prefersDark: boolean): 'light' | 'dark' {
  if (appearance === 'system') return prefersDark ? 'dark' : 'light';
  return appearance;
}

export function applyAppearance(appearance = getAppearance()): void {
  const resolved = resolveAppearance(appearance, systemDark?.matches ?? false);
  const root = document.documentElement;
  root.classList.toggle('dark', resolved === 'dark');
  root.style.colorScheme = resolved;
}

export function setAppearance(appearance: Appearance): void {
  try {
    localStorage.setItem(STORAGE_KEY, appearance);
  } catch {
    // not remembered, but still applied for this page
  }
  applyAppearance(appearance);
  for (const listener of listeners) listener();
}

// Follow the OS when the choice is "system".
systemDark?.addEventListener('change', () => {
  if (getAppearance() === 'system') applyAppearance('system');
});

export function useAppearance(): Appearance {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getAppearance,
    () => 'system',
  );
}
