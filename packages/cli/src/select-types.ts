import { buildTypeModel, type ApsTypeModel, type TypeModel } from '@apskit/core';
import { CliError } from './cli-error';
import { loadModule } from './load-module';

/**
 * The types of a module for a command that emits one thing per type: all of them, or the one
 * `--type` names (APS name, class name or type ID), in one model so that pages and schemas name the
 * module's other types by their APS names.
 */
export function selectTypes(
  moduleSpec: string,
  typeName?: string,
): { file: string; model: TypeModel; selected: readonly ApsTypeModel[] } {
  const { file, types } = loadModule(moduleSpec);
  if (types.length === 0) throw new CliError(`No APS types found in ${file}: export classes declared with @ApsType()`);
  const model = buildTypeModel(types);
  if (typeName === undefined) return { file, model, selected: model.types };
  let one: ApsTypeModel | undefined;
  try {
    one = model.find(typeName);
  } catch (e) {
    // An APS name that several types have: the model's message names their IDs.
    throw new CliError(`${(e as Error).message} (--type takes a type ID too)`);
  }
  if (!one) {
    const names = model.types.map((t) => t.name).join(', ');
    throw new CliError(`No type "${typeName}" in ${file}; it has: ${names}`);
  }
  return { file, model, selected: [one] };
}
