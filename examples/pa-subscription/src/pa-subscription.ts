/**
 * PASubscription as the APS reference publishes it (../shared/seeds/pa-subscription-type.txt),
 * with working custom operations. Its schema is the published one byte for byte: the state this
 * example keeps besides (`held`) lives in the app's own store, as a real app's would, not in the type.
 */
import {
  Accepted,
  ApsType,
  ConflictError,
  CoreTypes,
  Operation,
  Relation,
  Property,
  UnprocessableEntityError,
} from '@apskit/core';
import { controllerClient } from '@apskit/express';
import { ActivationStructure, ProvisioningState } from './structures';
import { holds } from './holds';
import type { Website } from './website';

/** The service templates this example's provider sells. */
export const SERVICE_TEMPLATES: Readonly<Record<number, string>> = { 1: 'Hosting Basic', 2: 'Hosting Pro' };

interface TaskJson {
  id: string;
  operation: string;
  status: 'scheduled' | 'running' | 'succeeded' | 'failed' | 'canceled';
  output: string;
}

@ApsType({
  name: 'PASubscription',
  id: 'http://parallels.com/aps/types/pa/subscription/1.0',
  implements: [CoreTypes.subscription],
  doc: 'This type represents a Operations Automation subscription.',
})
export class PASubscription {
  @Relation(() => CoreTypes.account, { doc: 'Account owns the subscription' })
  account?: unknown;

  @Relation(() => 'http://parallels.com/aps/types/pa/website/1.0', { collection: true, doc: 'Websites collection' })
  websites?: Website[];

  @Property({ type: 'integer', required: true, final: true, doc: 'Subscription identifier in OA' })
  subscriptionId!: number;

  @Property({ type: 'integer', required: true, doc: 'Service Template Id in OA' })
  serviceTemplateId!: number;

  @Property({ doc: 'Subscription activation parameters' })
  activationStructure?: ActivationStructure;

  aps?: { id: string };

  // ---- lifecycle -------------------------------------------------------------------------------

  provision(): void {
    throw new Accepted(this, `Activating subscription ${this.subscriptionId}`, 30);
  }

  provisionAsync(): void {
    // Activation fails for a service template the provider does not sell; configure a valid one and
    // restart provisioning to recover.
    if (!SERVICE_TEMPLATES[this.serviceTemplateId]) {
      throw new UnprocessableEntityError(`Service template ${this.serviceTemplateId} does not exist`);
    }
  }

  configure(next: PASubscription): void {
    this.refuseWhileHeld('configure');
    Object.assign(this, next);
  }

  unprovision(): void {
    holds.delete(this.id());
  }

  // ---- custom operations ---------------------------------------------------------------------

  @Operation({
    verb: 'GET',
    path: '/provisioningState',
    response: ProvisioningState,
    errorResponse: 'object',
    doc: 'Custom operation to check provisioning state of subscription',
    returns: 'ProvisioningState',
  })
  async provisioningState(): Promise<ProvisioningState> {
    this.refuseWhileHeld('provisioningState');
    const task = await this.lastProvisioning();
    if (!task) return { state: 'provisioned' };
    switch (task.status) {
      case 'succeeded':
        return { state: 'provisioned' };
      case 'failed':
        return { state: 'failed', message: task.output };
      case 'canceled':
        return { state: 'canceled', message: task.output };
      default:
        return { state: 'provisioning', message: task.output };
    }
  }

  @Operation({
    verb: 'POST',
    path: '/restartProvisioning',
    errorResponse: 'object',
    doc: 'Custom operation for restarting subscription provisioning in case it’s failed',
    returns: 'If successful, this method returns a 200 OK standard status code',
  })
  async restartProvisioning(): Promise<{ taskId: string; status: string }> {
    this.refuseWhileHeld('restartProvisioning');
    const task = await this.lastProvisioning();
    if (!task || task.status !== 'failed') {
      throw new ConflictError(
        `Provisioning of subscription ${this.subscriptionId} has not failed: there is nothing to restart`,
      );
    }
    // The controller's own task, run again from where it failed.
    const rerun = await controllerClient().request<TaskJson>('POST', `/apskit/tasks/${task.id}/rerun`);
    return { taskId: rerun.id, status: rerun.status };
  }

  @Operation({ verb: 'POST', path: '/hold', errorResponse: 'object', doc: 'Put subscription on hold in BSS' })
  hold(): void {
    this.refuseWhileHeld('hold');
    holds.add(this.id());
  }

  @Operation({ verb: 'POST', path: '/release', errorResponse: 'object', doc: 'Release subscription from hold in BSS' })
  release(): void {
    if (!holds.has(this.id())) throw new ConflictError(`Subscription ${this.subscriptionId} is not on hold`);
    holds.delete(this.id());
  }

  @Operation({
    verb: 'GET',
    path: '/applications',
    response: { type: 'array', items: 'string' },
    errorResponse: 'object',
    doc: 'Get APS applications related to subscription',
    returns: 'If successful, this method returns collection of application IDs in response body',
  })
  async applications(): Promise<string[]> {
    this.refuseWhileHeld('applications');
    // An application is related to the subscription when resources of it hang off the subscription:
    // here, the websites, whose application instance is the one serving this request.
    const websites = await controllerClient().linked(this.id(), 'websites');
    const { id } = await controllerClient().request<{ id: string }>('GET', '/apskit/instance');
    return websites.length > 0 ? [id] : [];
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private id(): string {
    return this.aps?.id ?? '';
  }

  private refuseWhileHeld(operation: string): void {
    if (holds.has(this.id())) {
      throw new ConflictError(
        `Subscription ${this.subscriptionId} is on hold in BSS: ${operation} is refused until it is released`,
      );
    }
  }

  private async lastProvisioning(): Promise<TaskJson | undefined> {
    const tasks = await controllerClient().request<TaskJson[]>(
      'GET',
      `/apskit/tasks?resourceId=${encodeURIComponent(this.id())}`,
    );
    return tasks.filter((t) => t.operation === 'provision').at(-1);
  }
}
