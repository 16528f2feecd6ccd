/**
 * The access policy compiled from a type's `access` attributes (issue 18), role by role: APS's
 * defaults when `access` is absent (admin and owner: yes; referrer: no;
 * docs.cloudblue.com/cbc/sdk/21.0/api/types/type-definition/general, "access"), a role a member's
 * `access` leaves out keeping its default, a referrer that reads what it is let at and writes
 * nothing, and encrypted properties that no role is shown.
 */
import { buildTypeModel } from '@apskit/core';
import { compileTypePolicy, roleOf } from '../src/access/access-policy';
import { LEDGER_TYPE, NOTICE_TYPE, services, VAULT_TYPE } from './fixtures/access-app';

const model = buildTypeModel(Object.values(services));
const policyOf = (id: string): ReturnType<typeof compileTypePolicy> =>
  compileTypePolicy(model.types.find((t) => t.id === id) as (typeof model.types)[number]);

describe('compileTypePolicy', () => {
  const vault = policyOf(VAULT_TYPE);

  it('hides from each role what its access says, and by default only from the referrer', () => {
    expect([...vault.hidden.owner].sort()).toEqual(['auditor', 'note']);
    expect([...vault.hidden.admin]).toEqual(['ownerNote']);
    // The referrer sees nothing it is not let at: every member without `referrer: true`.
    expect([...vault.hidden.referrer].sort()).toEqual(
      ['account', 'auditor', 'name', 'note', 'ownerNote', 'password', 'subscription'].sort(),
    );
  });

  it('lets each role write what it reads, and the referrer nothing', () => {
    expect(vault.writable.owner.has('ownerNote')).toBe(true);
    expect(vault.writable.owner.has('note')).toBe(false);
    expect(vault.writable.owner.has('auditor')).toBe(false);
    expect(vault.writable.admin.has('note')).toBe(true);
    expect(vault.writable.admin.has('ownerNote')).toBe(false);
    expect(vault.writable.referrer.size).toBe(0);
  });

  it('knows the encrypted properties, and the operations each role may call', () => {
    expect([...vault.encrypted]).toEqual(['password']);
    const rotate = model.types.find((t) => t.id === VAULT_TYPE)?.operations.find((o) => o.name === 'rotate');
    expect(rotate && vault.mayCall('owner', rotate)).toBe(false);
    expect(rotate && vault.mayCall('admin', rotate)).toBe(true);
    expect(vault.mayCall('owner', { name: 'ping' })).toBe(true);
    expect(vault.mayCall('referrer', { name: 'ping' })).toBe(false);
  });

  it('reads the type’s own access: global, and a role that does not see the type', () => {
    expect(policyOf(NOTICE_TYPE)).toMatchObject({
      global: true,
      seesType: { admin: true, owner: true, referrer: false },
    });
    expect(policyOf(LEDGER_TYPE)).toMatchObject({ global: false, seesType: { admin: true, owner: false } });
  });
});

describe('roleOf', () => {
  it('is the app for the application, an administrator for an open caller, never the app', () => {
    expect(roleOf({ kind: 'app', instanceId: 'i' })).toBe('app');
    expect(roleOf({ kind: 'open' })).toBe('admin');
    expect(roleOf({ kind: 'admin', subject: 'ops' })).toBe('admin');
    expect(roleOf({ kind: 'owner', subject: 'a', accountId: 'x' })).toBe('owner');
  });
});
