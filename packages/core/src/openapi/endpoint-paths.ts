/**
 * The routes of one service of the APS endpoint (docs/endpoint.md), in the order the endpoint's route
 * table matches them: provision, static operations, retrieve / configure / unprovision, instance
 * operations, upgrade, then link and unlink per relation.
 */
import type { ApsTypeModel } from '../model/model';
import type { JsonSchema } from '../validation/json-schema';
import { acceptedResponse, answerHeaders, errorResponses, requestHeaderParameters } from './aps-protocol';
import type { SchemaComponents } from './components';
import { customOperation, pathParameter, withoutUndefined } from './custom-operation';
import type { HttpVerb } from '../decorators/options';
import type { HttpMethod, OperationObject, ResponseObject } from './openapi-document';
import type { Paths } from './paths';

const ID = pathParameter('id', 'The resource’s APS ID (`aps.id`).');
const ANY_VALUE: JsonSchema = {};

export function addServicePaths(paths: Paths, components: SchemaComponents, service: string, type: ApsTypeModel): void {
  const base = `/${service}`;
  const headers = requestHeaderParameters();
  const resource = components.resource(type);
  const lifecycle = (name: string, operation: Omit<OperationObject, 'operationId' | 'tags'>): OperationObject =>
    withoutUndefined({ operationId: `${service}.${name}`, tags: [service], ...operation });

  paths.add(
    `${base}/`,
    'post',
    lifecycle('provision', {
      summary: `Provision a ${type.name}`,
      description:
        'Calls `provision()` (`provisionAsync()` in the async phase) with the resource the controller sends, ' +
        'its `aps.id` and `aps.type` set.',
      parameters: headers,
      requestBody: { required: true, content: { 'application/json': { schema: resource } } },
      responses: {
        '200': resourceResponse('The provisioned resource.', resource),
        '202': acceptedResponse(resource),
        ...errorResponses({ asyncPhase: true }),
      },
    }),
  );

  for (const op of type.operations.filter((o) => o.static)) {
    const path = `${base}${op.path}`;
    paths.add(
      path,
      verb(op.verb),
      customOperation(op, components, {
        operationId: `${service}.operations.${op.name}`,
        tag: service,
        path,
        pathParameters: [],
        common: headers,
      }),
    );
  }

  const item = `${base}/{id}`;
  paths.add(
    item,
    'get',
    lifecycle('retrieve', {
      summary: `Retrieve a ${type.name}`,
      description: 'Calls `retrieve()` when the class has it; else answers the resource as the controller holds it.',
      parameters: [ID, ...headers],
      responses: { '200': resourceResponse('The resource.', resource), ...errorResponses() },
    }),
  );
  paths.add(
    item,
    'put',
    lifecycle('configure', {
      summary: `Configure a ${type.name}`,
      description:
        'Calls `configure(next)` (`configureAsync(next)` in the async phase) on the current state, with the ' +
        'new one; without `configure()` the new state is accepted as it is. Final and read-only properties ' +
        'may not change.',
      parameters: [ID, ...headers],
      requestBody: { required: true, content: { 'application/json': { schema: components.update(type) } } },
      responses: {
        '200': resourceResponse('The configured resource.', resource),
        '202': acceptedResponse(resource),
        ...errorResponses({ asyncPhase: true }),
      },
    }),
  );
  paths.add(
    item,
    'delete',
    lifecycle('unprovision', {
      summary: `Unprovision a ${type.name}`,
      description: 'Calls `unprovision()` (`unprovisionAsync()` in the async phase).',
      parameters: [ID, ...headers],
      responses: {
        ...valueOrNothing(),
        '202': acceptedResponse(resource),
        ...errorResponses({ asyncPhase: true }),
      },
    }),
  );

  for (const op of type.operations.filter((o) => !o.static)) {
    const path = `${item}${op.path}`;
    paths.add(
      path,
      verb(op.verb),
      customOperation(op, components, {
        operationId: `${service}.operations.${op.name}`,
        tag: service,
        path,
        pathParameters: [ID],
        common: headers,
      }),
    );
  }

  paths.add(
    `${item}/upgrade`,
    'post',
    lifecycle('upgrade', {
      summary: `Upgrade a ${type.name}`,
      description: 'Calls `upgrade(body)` (`upgradeAsync(body)` in the async phase) when the class has it.',
      parameters: [ID, ...headers],
      requestBody: { required: false, content: { 'application/json': { schema: ANY_VALUE } } },
      responses: { ...valueOrNothing(), '202': acceptedResponse(resource), ...errorResponses() },
    }),
  );

  for (const relation of type.relations) {
    const linkPath = `${item}/${relation.name}`;
    paths.add(
      linkPath,
      'post',
      lifecycle(`link.${relation.name}`, {
        summary: `Link a resource to ${relation.name}`,
        description: [relation.doc, `Calls \`${relation.name}Link(linked)\` when the class has it.`]
          .filter((t) => t !== undefined)
          .join('\n\n'),
        parameters: [ID, ...headers],
        requestBody: {
          description: `The linked resource (${relation.type}).`,
          required: true,
          content: { 'application/json': { schema: LINKED_RESOURCE } },
        },
        responses: { ...valueOrNothing(), ...errorResponses() },
      }),
    );
    paths.add(
      `${linkPath}/{linkedId}`,
      'delete',
      lifecycle(`unlink.${relation.name}`, {
        summary: `Unlink a resource from ${relation.name}`,
        description: `Calls \`${relation.name}Unlink({aps: {id}})\` when the class has it.`,
        parameters: [ID, pathParameter('linkedId', 'The APS ID of the linked resource.'), ...headers],
        responses: { ...valueOrNothing(), ...errorResponses() },
      }),
    );
  }
}

const LINKED_RESOURCE: JsonSchema = {
  type: 'object',
  properties: { aps: { type: 'object', properties: { id: { type: 'string' }, type: { type: 'string' } } } },
  required: ['aps'],
};

export function verb(v: HttpVerb): HttpMethod {
  return v.toLowerCase() as HttpMethod;
}

function resourceResponse(description: string, schema: JsonSchema): ResponseObject {
  return { description, headers: answerHeaders(), content: { 'application/json': { schema } } };
}

/** 204 when the method returns nothing (or there is none), 200 with what it returned. */
function valueOrNothing(): Record<string, ResponseObject> {
  return {
    '200': {
      description: 'What the method returned, when it returned something.',
      headers: answerHeaders(),
      content: { 'application/json': { schema: ANY_VALUE } },
    },
    '204': { description: 'Done; the method returned nothing.', headers: answerHeaders() },
  };
}
