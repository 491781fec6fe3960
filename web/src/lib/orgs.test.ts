import { describe, expect, it } from 'vitest';
import { assignableRoles, canRemove, orgClaimOf, slugFrom } from './orgs';

const token = (payload: object) =>
  `e30.${btoa(JSON.stringify(payload)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}.sig`;

describe('orgClaimOf', () => {
  it('reads org_id and org_role from a token’s payload', () => {
    const id = '0b8a7c1e-7a0e-4a43-9b0e-3c1d2e4f5a6b';
    expect(orgClaimOf(token({ sub: 'x', org_id: id, org_role: 'admin' }))).toEqual({ id, role: 'admin' });
  });
  it('is null without a claim, with an unknown role, or for garbage', () => {
    expect(orgClaimOf(token({ sub: 'x' }))).toBeNull();
    expect(orgClaimOf(token({ org_id: 'a', org_role: 'boss' }))).toBeNull();
    expect(orgClaimOf('not-a-token')).toBeNull();
    expect(orgClaimOf('a.%%%.b')).toBeNull();
    expect(orgClaimOf(null)).toBeNull();
  });
});

describe('role rules', () => {
  it('only owners make or change owners; members change nothing', () => {
    expect(assignableRoles('owner', 'owner')).toEqual(['owner', 'admin', 'member']);
    expect(assignableRoles('admin', 'member')).toEqual(['admin', 'member']);
    expect(assignableRoles('admin', 'owner')).toEqual([]);
    expect(assignableRoles('member', 'member')).toEqual([]);
    expect(canRemove('admin', 'owner')).toBe(false);
    expect(canRemove('admin', 'member')).toBe(true);
    expect(canRemove('member', 'member')).toBe(false);
  });
});

describe('slugFrom', () => {
  it('makes a slug the server accepts', () => {
    expect(slugFrom('Acme Corp.')).toBe('acme-corp');
    expect(slugFrom('  Café Zürich  ')).toBe('cafe-zurich');
    expect(slugFrom('x'.repeat(80))).toHaveLength(64);
  });
});
