import { describe, expect, it } from 'vitest';
import { changesOf, createBody, draftOf, holdersNotice, permissionHint, roleLabel, roleName, withPermission } from './roles';

const CATALOGUE = ['users:read', 'users:write', 'audit:read', 'items:read_all'];
const auditor = { name: 'auditor', description: 'Reads the log', permissions: ['audit:read', 'items:read_all'] };

describe('roles in the web app', () => {
  it('names roles as people read them', () => {
    expect(roleLabel('user_admin')).toBe('user admin');
    expect(roleLabel('superuser')).toBe('Superuser');
    expect(permissionHint('audit:read')).toBe('Read the audit log');
    expect(permissionHint('teleport:anyone')).toBeUndefined();
  });

  it('checks a new name as the server does', () => {
    expect(roleName('auditor')).toBeUndefined();
    expect(roleName('billing_2')).toBeUndefined();
    expect(roleName('')).toBe('Name is required');
    for (const bad of ['a', 'Auditor', '2fa_admin', 'billing-team', 'x'.repeat(64)]) expect(roleName(bad)).toBeDefined();
  });

  it('keeps checked permissions in the catalogue order', () => {
    expect(withPermission(CATALOGUE, ['audit:read'], 'users:read', true)).toEqual(['users:read', 'audit:read']);
    expect(withPermission(CATALOGUE, ['users:read', 'audit:read'], 'users:read', false)).toEqual(['audit:read']);
    expect(withPermission(CATALOGUE, ['audit:read'], 'audit:read', true)).toEqual(['audit:read']);
  });

  it('sends an empty description as none', () => {
    expect(createBody({ name: 'auditor', description: '  ', permissions: ['audit:read'] })).toEqual({
      name: 'auditor',
      description: null,
      permissions: ['audit:read'],
    });
  });

  it('sends only what an edit changes', () => {
    expect(changesOf(auditor, draftOf(auditor))).toEqual({});
    expect(changesOf(auditor, { ...draftOf(auditor), permissions: ['items:read_all', 'audit:read'] })).toEqual({});
    expect(changesOf(auditor, { ...draftOf(auditor), permissions: ['audit:read'] })).toEqual({ permissions: ['audit:read'] });
    expect(changesOf(auditor, { ...draftOf(auditor), description: '' })).toEqual({ description: null });
    expect(changesOf({ ...auditor, description: null }, { ...draftOf(auditor), description: ' ' })).toEqual({});
    expect(changesOf(auditor, { ...draftOf(auditor), name: 'reader' })).toEqual({ name: 'reader' });
  });

  it('says what deleting does to the holders', () => {
    expect(holdersNotice(0)).toBe('Nobody holds it.');
    expect(holdersNotice(1)).toContain('The 1 user who holds it loses it');
    expect(holdersNotice(3)).toContain('The 3 users who hold it lose it');
  });
});
