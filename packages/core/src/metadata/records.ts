/**
 * The shapes that decorators record. They are raw: nothing here is resolved or checked. The model
 * builder (../model/build-model.ts) reads them once and turns them into the immutable type model.
 */
import type {
  ApsTypeOptions,
  OperationOptions,
  ParamOptions,
  PropertyOptions,
  RelationOptions,
  StructureOptions,
  TypeThunk,
} from '../decorators/options';
import type { OnEventOptions } from '../decorators/on-event';
import type { Class } from './class';

export type { Class };

export interface TypeRecord {
  readonly target: Class;
  readonly options: ApsTypeOptions;
}

export interface StructureRecord {
  readonly target: Class;
  readonly options: StructureOptions;
}

export interface PropertyRecord {
  readonly target: Class;
  readonly name: string;
  readonly options: PropertyOptions;
  /** What `emitDecoratorMetadata` says the TypeScript type is (String, Number, Array, a class...). */
  readonly designType: unknown;
}

export interface RelationRecord {
  readonly target: Class;
  readonly name: string;
  readonly to: TypeThunk;
  readonly options: RelationOptions;
}

export interface OperationRecord {
  readonly target: Class;
  readonly method: string;
  readonly options: OperationOptions;
  readonly isStatic: boolean;
}

/**
 * A decorator put where it cannot work (on a symbol-named member, a constructor parameter), recorded
 * rather than thrown at import, so that building the model reports it with every other mistake.
 */
export interface MistakeRecord {
  readonly target: Class;
  readonly member?: string;
  readonly message: string;
}

export interface ParamRecord {
  readonly target: Class;
  readonly method: string;
  readonly index: number;
  readonly name: string;
  readonly options: ParamOptions;
  readonly designType: unknown;
  readonly isStatic: boolean;
}

/** An `@OnEvent` on a method: the subscription every resource of the type gets (checked by the model). */
export interface EventHandlerRecord {
  readonly target: Class;
  readonly method: string;
  readonly isStatic: boolean;
  readonly event: string;
  readonly options: OnEventOptions;
}
