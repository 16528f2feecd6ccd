/**
 * The helpers the packages' tests share. A test reaches another package only by its name (the
 * `apskit/package-boundaries` lint rule), and a test helper is no published package's API, so they
 * live in this private package rather than in copies. The PostgreSQL fixture is a subpath of its own,
 * `@apskit/test-support/postgres`, so that a test without a database never loads `pg`.
 */
export { validateOpenApi, type OpenApiValidation } from './openapi-validator';
export { Globals, Provisionable, services } from './async-provisioning';
export { tlsProxyDouble, type TlsProxy, type TlsProxyOptions } from './tls-proxy';
