/** Time, injectable so tests can move it without sleeping. */
export interface Clock {
  now(): Date;
  nowSeconds(): number;
}

export const systemClock: Clock = {
  now: () => new Date(),
  nowSeconds: () => Math.floor(Date.now() / 1000),
};

/** A clock tests can set and advance. */
export class ManualClock implements Clock {
  constructor(private current = new Date()) {}
  now(): Date {
    return new Date(this.current);
  }
  nowSeconds(): number {
    return Math.floor(this.current.getTime() / 1000);
  }
  advance(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}
