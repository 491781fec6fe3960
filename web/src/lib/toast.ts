// A tiny toast store: any module can call toast.success/error; <Toaster> renders them.
import { useSyncExternalStore } from 'react';

export type Toast = { id: number; kind: 'success' | 'error' | 'info'; message: string };

let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const DISMISS_AFTER_MS = 6000;

function emit() {
  for (const listener of listeners) listener();
}

export function dismissToast(id: number): void {
  toasts = toasts.filter((t) => t.id !== id);
  emit();
}

function push(kind: Toast['kind'], message: string): void {
  const id = nextId++;
  // Keep at most 4 on screen: a burst of failures should not cover the page.
  toasts = [...toasts.slice(-3), { id, kind, message }];
  emit();
  setTimeout(() => dismissToast(id), DISMISS_AFTER_MS);
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
