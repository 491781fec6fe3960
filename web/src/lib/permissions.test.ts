import { describe, expect, it } from 'vitest';
import { adminHome, can, isSuperuser, mayConfer } from './permissions';

const support = { roles: ['support'], permissions: ['users:read', 'audit:read'] };
const userAdmin = { roles: ['user_admin'], permissions: ['users:read', 'users:write', 'sessions:revoke', 'audit:read'] };
const root = { roles: ['superuser'], permissions: ['users:read', 'users:write', 'users:delete', 'audit:read'] };

describe('permissions in the web app', () => {
  it('reads what /users/me says', () => {
    expect(can(support, 'users:read')).toBe(true);
    expect(can(support, 'users:write')).toBe(false);
    expect(can(null, 'users:read')).toBe(false);
    expect(isSuperuser(root)).toBe(true);
    expect(isSuperuser(userAdmin)).toBe(false);
  });

  it('offers only the roles the viewer could give', () => {
    expect(mayConfer(userAdmin, { name: 'support', permissions: ['users:read', 'audit:read'] })).toBe(true);
    expect(mayConfer(userAdmin, { name: 'auditor', permissions: ['audit:read', 'items:read_all'] })).toBe(false);
    expect(mayConfer(userAdmin, { name: 'superuser', permissions: [] })).toBe(false);
    expect(mayConfer(root, { name: 'superuser', permissions: [] })).toBe(true);
  });

  it('opens the admin area where the viewer may look', () => {
    expect(adminHome(support)).toBe('/admin');
    expect(adminHome({ permissions: ['audit:read'] })).toBe('/admin/audit');
    expect(adminHome({ permissions: [] })).toBe(null);
  });
});
