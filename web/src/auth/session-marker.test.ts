import { describe, expect, it } from 'vitest';
import { mayHaveSession } from './session-marker';

describe('session marker', () => {
  it('is read from the script-visible cookies', () => {
    expect(mayHaveSession('')).toBe(false);
    expect(mayHaveSession('roster.appearance=dark')).toBe(false);
    expect(mayHaveSession('a=1; roster_session=1')).toBe(true);
    expect(mayHaveSession('roster_session=1; a=1')).toBe(true);
    expect(mayHaveSession('not_roster_session=1')).toBe(false);
    expect(mayHaveSession('roster_session=')).toBe(false);
  });
});
