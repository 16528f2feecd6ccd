/** The JSON shape of an APS type schema, as published. */
import type { AccessOptions, ParamKind } from '../decorators/options';
import type { ItemsSchema, PropertySchema, ResponseSchema } from '../model/model';

export interface ApsSchema {
  name: string;
  id: string;
  apsVersion: string;
  implements?: string[];
  access?: AccessOptions;
  relations?: Record<string, { type: string; collection?: boolean; required?: boolean; access?: AccessOptions }>;
  properties?: Record<string, PropertySchema>;
  operations?: Record<string, ApsOperationSchema>;
  structures?: Record<string, { type: 'object'; properties: Record<string, PropertySchema> }>;
}

export interface ApsOperationSchema {
  name?: string;
  path: string;
  verb: string;
  static?: boolean;
  parameters?: Record<
    string,
    { name?: string; type: string; items?: ItemsSchema; kind: ParamKind; required?: boolean }
  >;
  response?: ResponseSchema;
  errorResponse?: ResponseSchema;
  access?: AccessOptions;
}
