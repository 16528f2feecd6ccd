/**
 * A resource on the wire: as the controller's API answers it and as the endpoint receives it, `aps`
 * metadata first, then the properties.
 */
import type { ResourceRecord, ResourceStatus } from '@apskit/store';

export interface ResourceJson {
  aps: { id: string; type: string; status: ResourceStatus; revision: number; modified: string };
  [property: string]: unknown;
}

export function renderResource(r: ResourceRecord): ResourceJson {
  return {
    aps: {
      id: r.id,
      type: r.type,
      status: r.status,
      revision: r.revision,
      modified: new Date(r.modified).toISOString(),
    },
    ...r.properties,
  };
}

/** The same, as the plain JSON object a request body is. */
export function resourceBody(r: ResourceRecord): Record<string, unknown> {
  return renderResource(r) as unknown as Record<string, unknown>;
}
