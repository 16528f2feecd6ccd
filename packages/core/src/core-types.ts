/**
 * The type IDs of the APS core types that app types implement or relate to. Use them in
 * `implements` and in relations: `@Relation(() => CoreTypes.account)`.
 */
export const CoreTypes = {
  resource: 'http://aps-standard.org/types/core/resource/1.0',
  application: 'http://aps-standard.org/types/core/application/1.0',
  subscription: 'http://aps-standard.org/types/core/subscription/1.0',
  account: 'http://aps-standard.org/types/core/account/1.0',
  serviceUser: 'http://aps-standard.org/types/core/service-user/1.0',
  suspendable: 'http://aps-standard.org/types/core/suspendable/1.0',
} as const;

export type CoreTypeId = (typeof CoreTypes)[keyof typeof CoreTypes];
