import { describe, expect, it } from 'vitest';
import { parseUsersSearch, usersQuery } from './AdminUsersPage';

describe('parseUsersSearch', () => {
  it('defaults to the first page of 10, newest first, no filters', () => {
    expect(parseUsersSearch({})).toEqual({
      page: 1,
      size: 10,
      q: undefined,
      active: undefined,
      superuser: undefined,
      verified: undefined,
      mfa: undefined,
      order: undefined,
    });
  });

  it('keeps valid values and drops hand-edited nonsense', () => {
    const search = parseUsersSearch({
      page: '3',
      size: 25,
      q: 'ann',
      active: 'no',
      superuser: 'maybe',
      mfa: 'yes',
      order: 'email',
    });
    expect(search).toMatchObject({ page: 3, size: 25, q: 'ann', active: 'no', superuser: undefined, mfa: 'yes', order: 'email' });
    expect(parseUsersSearch({ mfa: 'true' }).mfa).toBeUndefined();
    expect(parseUsersSearch({ page: -1, size: 7, order: 'password' })).toMatchObject({ page: 1, size: 10, order: undefined });
  });
});

describe('usersQuery', () => {
  it('turns the page into skip/limit and the tri-state filters into booleans', () => {
    expect(usersQuery({ page: 3, size: 25, q: '  Smith ', active: 'yes', superuser: 'no', mfa: 'no', order: '-email' })).toEqual({
      skip: 50,
      limit: 25,
      q: 'Smith',
      is_active: true,
      is_superuser: false,
      mfa: false,
      order_by: '-email',
    });
    expect(usersQuery({ page: 1, size: 10, mfa: 'yes' }).mfa).toBe(true);
  });

  it('leaves absent filters out instead of sending them empty', () => {
    expect(usersQuery({ page: 1, size: 10 })).toEqual({ skip: 0, limit: 10, order_by: '-created_at' });
  });
});
