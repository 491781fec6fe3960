import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

async function freshToasts() {
  vi.resetModules();
  return import('./toast');
}

describe('toasts', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('the same words are shown once, and stay the full time from the last time they were said', async () => {
    const { toast, currentToasts } = await freshToasts();
    toast.error('Cannot reach the server.');
    vi.advanceTimersByTime(5000);
    toast.error('Cannot reach the server.');
    expect(currentToasts()).toHaveLength(1);
    vi.advanceTimersByTime(5000);
    expect(currentToasts()).toHaveLength(1); // the second saying restarted its time
    vi.advanceTimersByTime(1000);
    expect(currentToasts()).toHaveLength(0);
  });

  it('different words, or the same words of another kind, are separate toasts', async () => {
    const { toast, currentToasts } = await freshToasts();
    toast.success('Saved.');
    toast.info('Saved.');
    toast.success('Deleted.');
    expect(currentToasts().map((t) => `${t.kind}:${t.message}`)).toEqual(['success:Saved.', 'info:Saved.', 'success:Deleted.']);
  });

  it('clearToasts empties the screen, and a later toast is not dismissed by an old timer', async () => {
    const { toast, clearToasts, currentToasts } = await freshToasts();
    toast.success('Welcome back, Nina.');
    vi.advanceTimersByTime(3000);
    clearToasts();
    expect(currentToasts()).toEqual([]);
    toast.success('Welcome back, Nina.');
    vi.advanceTimersByTime(3000);
    expect(currentToasts()).toHaveLength(1);
  });
});
