/**
 * Two served types of one APS name and other IDs (APS tells types by ID; a platform's type list has
 * several `tenant`s): each is found by its ID, and a lookup by the shared name is a 400 that names
 * the IDs instead of picking one.
 */
import { ApsType, BadRequestError } from '@apskit/core';
import { ServiceRegistry } from '../src/registry/service-registry';

const ID = 'http://vendor.example/registry-names';

@ApsType({ id: `${ID}/a/tenant/1.0`, name: 'tenant' })
class TenantA {}

@ApsType({ id: `${ID}/b/tenant/1.0`, name: 'tenant' })
class TenantB {}

@ApsType({ id: `${ID}/globals/1.0`, name: 'globals' })
class Globals {}

describe('ServiceRegistry with two types of one name', () => {
  const registry = new ServiceRegistry({ tenantsA: TenantA, tenantsB: TenantB, globals: Globals });

  it('finds each by its type ID, and a name only one type has by that name', () => {
    expect(registry.serviceOf(`${ID}/a/tenant/1.0`).service).toBe('tenantsA');
    expect(registry.serviceOf(`${ID}/b/tenant/1.0`).service).toBe('tenantsB');
    expect(registry.find('globals')?.service).toBe('globals');
  });

  it('answers a lookup by the shared name with a 400 naming both IDs', () => {
    const ask = (): unknown => registry.serviceOf('tenant');
    expect(ask).toThrow(BadRequestError);
    expect(ask).toThrow(
      `The type name "tenant" is ambiguous: this application serves 2 types of that name (${ID}/a/tenant/1.0, ${ID}/b/tenant/1.0); give the type ID`,
    );
  });
});
