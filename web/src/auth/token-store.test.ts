// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';

async function freshStore() {
  vi.resetModules();
  return import('./token-store');
}

describe('token store', () => {
  it('keeps the access token in memory only, never in web storage', async () => {
    const store = await freshStore();
    expect(store.getAccessToken()).toBeNull();
    store.setAccessToken('abc');
    expect(store.getAccessToken()).toBe('abc');
    expect(localStorage.length).toBe(0);
    expect(sessionStorage.length).toBe(0);
    // A reload (a fresh module) starts without a token: it comes back from the refresh cookie.
    expect((await freshStore()).getAccessToken()).toBeNull();
  });

  it('announces sign-in and sign-out to other tabs, without the token', async () => {
    const sender = await freshStore();
    const receiver = await freshStore(); // another module instance stands in for another tab
    const heard = vi.fn();
    receiver.onSessionEventElsewhere(heard);
    sender.setAccessToken('secret-token');
    sender.announceSessionEvent('signed-in');
    sender.announceSessionEvent('signed-out');
    await vi.waitFor(() => expect(heard).toHaveBeenCalledTimes(2));
    expect(heard.mock.calls).toEqual([['signed-in'], ['signed-out']]);
  });
});
