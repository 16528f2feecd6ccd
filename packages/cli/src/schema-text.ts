import { toApsSchema, type ApsTypeModel } from '@apskit/core';

/**
 * The text of a `.schema` file: the schema as APS publishes it, with a final newline. What
 * `apskit schema` prints and what `apskit package` puts in `schemas/`, byte for byte.
 */
export function schemaText(type: ApsTypeModel): string {
  return `${JSON.stringify(toApsSchema(type), null, 2)}\n`;
}
