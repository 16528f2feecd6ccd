/** The controller's certificates, the installation handshake's `aps.x509`, and knowing the app by its certificate. */
export {
  ControllerTrust,
  type ControllerTrustOptions,
  type InstanceIdentity,
  type PeerCertificateLike,
} from './controller-trust';
export { withInstallCredentials, withoutSecrets, type InstallCredentials } from './install-credentials';
export { TRUST_META_PREFIX } from './credential-keeping';
export type { KeyPairPem } from './pki';
