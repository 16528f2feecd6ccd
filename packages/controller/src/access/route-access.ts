/**
 * The access checks the resource routes share, so that each route says in one line what it checks.
 */
import type { Caller } from '../auth/caller';
import type { Controller, OperationResult } from '../controller';

/** A lifecycle answer as the caller is shown it: its resource without what the caller may not read. */
export function viewResult(controller: Controller, caller: Caller, result: OperationResult): OperationResult {
  return result.resource === undefined
    ? result
    : { ...result, resource: controller.access.view(caller, result.resource) };
}

/**
 * Checks a new resource's body before it is provisioned (nothing stored, the endpoint not called on
 * refusal): the members the caller writes, and, for an account owner, that it is linked to its account.
 * A body without a served `aps.type` is left to provisioning's own 400.
 */
export async function checkNewResource(
  controller: Controller,
  caller: Caller,
  body: unknown,
  parent?: { readonly id: string },
): Promise<void> {
  const typeRef = (body as { aps?: { type?: unknown } } | null | undefined)?.aps?.type;
  let typeId: string;
  try {
    typeId = controller.serviceOf(typeRef).type.id;
  } catch {
    return;
  }
  controller.access.checkWrite(caller, typeId, body);
  await controller.access.checkNewResource(caller, typeId, body, parent);
}
