/**
 * A promise that one side awaits and the other opens: how a test holds a statement
 * back, or keeps a transaction open, until it has checked what it wants to.
 * (Promise.withResolvers, which Node 20 lacks.)
 */
export interface Latch {
  opened: Promise<void>;
  open(): void;
}

export function latch(): Latch {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}
