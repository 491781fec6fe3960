// A tiny toast store: any module can call toast.success/error; <Toaster> renders them.
import { useSyncExternalStore } from 'react';

export type Toast = { id: number; kind: 'success' | 'error' | 'info'; message: string };

let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const timers = new Map<number, ReturnType<typeof setTimeout>>();
const DISMISS_AFTER_MS = 6000;

function emit() {
  for (const listener of listeners) listener();
}

function dismissLater(id: number): void {
  clearTimeout(timers.get(id));
  timers.set(
    id,
    setTimeout(() => dismissToast(id), DISMISS_AFTER_MS),
  );
}

export function dismissToast(id: number): void {
  clearTimeout(timers.get(id));
  timers.delete(id);
  toasts = toasts.filter((t) => t.id !== id);
  emit();
}

/** Sign-in and sign-out start afresh: what was said to the previous person is not for the next one. */
export function clearToasts(): void {
  for (const timer of timers.values()) clearTimeout(timer);
  timers.clear();
  if (toasts.length === 0) return;
  toasts = [];
  emit();
}

function push(kind: Toast['kind'], message: string): void {
  // The same words already on screen (a double submit, two queries failing alike) are said
  // once: the toast stays longer instead of appearing twice.
  const same = toasts.find((t) => t.kind === kind && t.message === message);
  if (same) {
    dismissLater(same.id);
    return;
  }
  const id = nextId++;
  // Keep at most 4 on screen: a burst of failures should not cover the page.
  const dropped = toasts.slice(0, -3);
  for (const t of dropped) {
    clearTimeout(timers.get(t.id));
    timers.delete(t.id);
  }
  toasts = [...toasts.slice(-3), { id, kind, message }];
  emit();
  dismissLater(id);
}

/** What is on screen now (for tests and non-React callers). */
export function currentToasts(): readonly Toast[] {
  return toasts;
}

export const toast = {
  success: (message: string) => push('success', message),
  error: (message: string) => push('error', message),
  info: (message: string) => push('info', message),
};

export function useToasts(): Toast[] {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => toasts,
    () => toasts,
  );
}
