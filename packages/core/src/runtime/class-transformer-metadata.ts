/**
 * Whether app code put class-transformer's decorators (@Type, @Transform, @Expose, @Exclude) on a
 * class: the one place APSKit reads class-transformer's metadata.
 *
 * class-transformer has no public way to ask. Its maintainers keep the metadata storage internal on
 * purpose (typestack/class-transformer#487, closed as "wontfix"; it "can be imported by a direct
 * path"). Nor can APSKit record anything when those decorators run: they are class-transformer's own,
 * imported by app code from class-transformer. So this reads the storage that class-transformer's
 * own `plainToInstance` reads, from the module that holds it, typed by the declaration file that
 * class-transformer ships for that module, and checked once when first used, so that a release that
 * moves it fails with a message rather than hydrating bodies the wrong way.
 */
import { TransformationType } from 'class-transformer';
import type { Class } from '../metadata/records';

type Storage = (typeof import('class-transformer/types/storage'))['defaultMetadataStorage'];

/** The methods used here; checked on load because the module is not class-transformer's public API. */
const METHODS = ['getExposedMetadatas', 'getExcludedMetadatas', 'findTypeMetadata', 'findTransformMetadatas'] as const;

let storage: Storage | undefined;

function loadStorage(): Storage {
  // The path of the module, not the package's entry: see above for why there is no other way.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = (require('class-transformer/cjs/storage') as typeof import('class-transformer/types/storage'))
    .defaultMetadataStorage as Storage | undefined;
  const missing = METHODS.filter((m) => typeof loaded?.[m] !== 'function');
  if (loaded === undefined || missing.length > 0) {
    throw new Error(
      'APSKit cannot read the decorators of this version of class-transformer ' +
        `(its metadata storage lacks ${missing.join(', ')}); use class-transformer 0.5`,
    );
  }
  return loaded;
}

/** True when the class itself carries @Expose or @Exclude. */
export function classTransformerOnClass(target: Class): boolean {
  const s = (storage ??= loadStorage());
  return s.getExposedMetadatas(target).length > 0 || s.getExcludedMetadatas(target).length > 0;
}

/** True when the property carries @Type, or a @Transform that applies from plain to class. */
export function classTransformerOnProperty(target: Class, property: string): boolean {
  const s = (storage ??= loadStorage());
  return (
    // Truthiness, not `!== undefined`: the declaration promises an object, the code may give undefined.
    Boolean(s.findTypeMetadata(target, property)) ||
    s.findTransformMetadatas(target, property, TransformationType.PLAIN_TO_CLASS).length > 0
  );
}
