// @vitest-environment jsdom
import { beforeEach, describe, expect, it, vi } from 'vitest';

// A fresh module per test: the store caches what it read from storage.
async function freshStore() {
  vi.resetModules();
  return import('./token-store');
}

describe('token store', () => {
  beforeEach(() => localStorage.clear());

  it('keeps the token across a reload (module re-import) via localStorage', async () => {
    const first = await freshStore();
    expect(first.getAccessToken()).toBeNull();
    first.setAccessToken('abc');
    expect(first.getAccessToken()).toBe('abc');

    const second = await freshStore();
    expect(second.getAccessToken()).toBe('abc');
  });

  it('clears storage on sign-out and tells listeners', async () => {
    const store = await freshStore();
    const listener = vi.fn();
    store.onAccessTokenChange(listener);
    store.setAccessToken('abc');
    store.setAccessToken(null);
    expect(listener.mock.calls).toEqual([['this-tab'], ['this-tab']]);
    expect(localStorage.getItem('roster.access_token')).toBeNull();
    expect(store.getAccessToken()).toBeNull();
  });

  it('follows another tab signing out, and says the change came from there', async () => {
    const store = await freshStore();
    store.setAccessToken('abc');
    const listener = vi.fn();
    store.onAccessTokenChange(listener);
    window.dispatchEvent(new StorageEvent('storage', { key: 'roster.access_token', newValue: null }));
    expect(store.getAccessToken()).toBeNull();
    expect(listener).toHaveBeenCalledWith('other-tab');
    window.dispatchEvent(new StorageEvent('storage', { key: 'roster.appearance', newValue: 'dark' }));
    expect(listener).toHaveBeenCalledTimes(1); // other keys are not about the session
  });
});
