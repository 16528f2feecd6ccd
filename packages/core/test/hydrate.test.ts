/**
 * Request bodies become class instances: by a copy compiled from the model, or, for a class that
 * uses class-transformer's decorators, by class-transformer, so that those decorators keep their
 * meaning. Each decorator is recognised, on the class, on a property, or on a nested structure.
 */
import { Exclude, Expose, Transform, Type } from 'class-transformer';
import { ApsType, buildTypeModel, compileHydrator, Property, Structure, type Class } from '@apskit/core';

const ID = 'http://example.com/hydrate';

function hydrator(cls: Class): (plain: unknown) => object {
  const type = buildTypeModel([cls]).get(cls);
  return compileHydrator(type.target, type.properties);
}

@Structure()
class Address {
  @Property()
  city?: string;
}

describe('compileHydrator', () => {
  it('copies a plain class, building its structures and leaving prototype keys out', () => {
    @ApsType({ name: 'plain', id: `${ID}/plain/1.0` })
    class Plain {
      @Property()
      name?: string;

      @Property()
      address?: Address;
    }
    const body = JSON.parse('{"name":"a","address":{"city":"b"},"__proto__":{"polluted":true}}') as unknown;
    const built = hydrator(Plain)(body) as Plain;
    expect(built).toBeInstanceOf(Plain);
    expect(built.address).toBeInstanceOf(Address);
    expect(built).toEqual(
      Object.assign(new Plain(), { name: 'a', address: Object.assign(new Address(), { city: 'b' }) }),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('lets class-transformer build a class with @Transform on a property', () => {
    @ApsType({ name: 'transformed', id: `${ID}/transformed/1.0` })
    class Transformed {
      @Property()
      @Transform(({ value }) => (typeof value === 'string' ? value.toUpperCase() : value))
      name?: string;
    }
    expect(hydrator(Transformed)({ name: 'shout' })).toEqual(Object.assign(new Transformed(), { name: 'SHOUT' }));
  });

  it('lets class-transformer build a class with @Exclude or @Expose', () => {
    @ApsType({ name: 'excluding', id: `${ID}/excluding/1.0` })
    class Excluding {
      @Property()
      name?: string;

      @Property()
      @Exclude({ toClassOnly: true })
      secret?: string;
    }
    expect(hydrator(Excluding)({ name: 'a', secret: 's' })).toEqual(Object.assign(new Excluding(), { name: 'a' }));

    @ApsType({ name: 'exposing', id: `${ID}/exposing/1.0` })
    class Exposing {
      @Property()
      @Expose({ name: 'display_name' })
      displayName?: string;
    }
    expect(hydrator(Exposing)({ display_name: 'b' })).toEqual(Object.assign(new Exposing(), { displayName: 'b' }));
  });

  it('lets class-transformer build nested structures named by @Type', () => {
    class Street {
      name?: string;
      get shout(): string {
        return (this.name ?? '').toUpperCase();
      }
    }
    @Structure()
    class Located {
      @Property({ type: 'object' })
      @Type(() => Street)
      street?: Street;
    }
    @ApsType({ name: 'located', id: `${ID}/located/1.0` })
    class Holder {
      @Property()
      @Type(() => Located)
      where?: Located;
    }
    const built = hydrator(Holder)({ where: { street: { name: 'main' } } }) as Holder;
    expect(built.where).toBeInstanceOf(Located);
    expect(built.where?.street).toBeInstanceOf(Street);
    expect(built.where?.street?.shout).toBe('MAIN');
  });
});
