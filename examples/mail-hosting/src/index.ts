/**
 * The mail hosting example: its current version (1.1) is what `apskit package` and `apskit deploy`
 * take; version 1.0 is in ./v1_0, kept to show the upgrade.
 */
export { app, services, Domain, Globals, Mailbox, NS } from './v1_1';
export { serveMailHosting, versions, type MailHostingOptions, type RunningMailHosting, type Version } from './serve';
export { mailServer, MailServer } from './mail-server';
