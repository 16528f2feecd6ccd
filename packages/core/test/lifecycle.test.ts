/**
 * Lifecycle methods are recognised by name, on the class or any base class, as the APS PHP runtime
 * does; they are the runtime's business and never appear in the schema.
 */
import { ApsType, buildTypeModel, LIFECYCLE_METHODS, Property, toApsSchema } from '@apskit/core';

const ID = 'http://example.com/lifecycle';

describe('lifecycle', () => {
  it('lists the APS lifecycle methods', () => {
    expect([...LIFECYCLE_METHODS]).toEqual([
      'provision',
      'provisionAsync',
      'retrieve',
      'configure',
      'configureAsync',
      'unprovision',
      'unprovisionAsync',
      'upgrade',
      'upgradeAsync',
    ]);
  });

  it('is empty for a type without lifecycle methods', () => {
    @ApsType({ id: `${ID}/none/1.0` })
    class NoLifecycle {
      @Property()
      value?: string;

      provisioning(): void {}
    }
    expect([...buildTypeModel([NoLifecycle]).get(NoLifecycle).lifecycle]).toEqual([]);
  });

  it('has each lifecycle method the class defines, and only those', () => {
    @ApsType({ id: `${ID}/some/1.0` })
    class SomeLifecycle {
      provision(): void {}

      async provisionAsync(): Promise<void> {}

      unprovision(): void {}

      helper(): void {}
    }
    const lifecycle = buildTypeModel([SomeLifecycle]).get(SomeLifecycle).lifecycle;
    expect([...lifecycle].sort()).toEqual(['provision', 'provisionAsync', 'unprovision']);
    expect(lifecycle.has('configure')).toBe(false);
  });

  it('has every lifecycle method when the class defines them all', () => {
    @ApsType({ id: `${ID}/all/1.0` })
    class AllLifecycle {
      provision(): void {}
      provisionAsync(): void {}
      retrieve(): void {}
      configure(): void {}
      configureAsync(): void {}
      unprovision(): void {}
      unprovisionAsync(): void {}
      upgrade(): void {}
      upgradeAsync(): void {}
    }
    expect([...buildTypeModel([AllLifecycle]).get(AllLifecycle).lifecycle].sort()).toEqual(
      [...LIFECYCLE_METHODS].sort(),
    );
  });

  it('finds lifecycle methods on a plain base class and on an @ApsType base class', () => {
    class PlainLifecycleBase {
      configure(): void {}
    }

    @ApsType({ id: `${ID}/base/1.0` })
    class TypeLifecycleBase extends PlainLifecycleBase {
      provision(): void {}
    }

    @ApsType({ id: `${ID}/child/1.0` })
    class LifecycleChild extends TypeLifecycleBase {
      unprovisionAsync(): void {}
    }
    const model = buildTypeModel([TypeLifecycleBase, LifecycleChild]);
    expect([...model.get(LifecycleChild).lifecycle].sort()).toEqual(['configure', 'provision', 'unprovisionAsync']);
    expect([...model.get(TypeLifecycleBase).lifecycle].sort()).toEqual(['configure', 'provision']);
  });

  it('ignores a property named like a lifecycle method that is not a function', () => {
    @ApsType({ id: `${ID}/not-function/1.0` })
    class NotAFunction {
      @Property()
      retrieve?: string;
    }
    expect(buildTypeModel([NotAFunction]).get(NotAFunction).lifecycle.has('retrieve')).toBe(false);
  });

  it('keeps lifecycle methods out of the schema', () => {
    @ApsType({ id: `${ID}/schema/1.0` })
    class LifecycleNotInSchema {
      provision(): void {}
      configure(): void {}
    }
    expect(JSON.stringify(toApsSchema(LifecycleNotInSchema))).toBe(
      JSON.stringify({ name: 'LifecycleNotInSchema', id: `${ID}/schema/1.0`, apsVersion: '2.0' }),
    );
  });
});
