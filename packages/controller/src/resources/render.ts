import type { ResourceRecord, ResourceStatus } from '@apskit/store';

/** A resource as the controller's API (and the endpoint) sees it: `aps` metadata, then properties. */
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
