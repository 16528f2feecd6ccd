/**
 * The endpoint's logger never writes a private key: `aps.x509` is redacted wherever it is logged,
 * and any PEM private key is scrubbed from logged objects and messages. The default logger has it;
 * `redactingLoggerOptions()` gives it to a pino logger an app makes itself.
 */
import pino from 'pino';
import { redactingLoggerOptions } from '@apskit/express';

const KEY = [
  '-----BEGIN PRIVATE KEY-----',
  'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg',
  '-----END PRIVATE KEY-----',
].join('\n');
const RSA_KEY = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEowIBAAKCAQEAsecretsecretsecret',
  '-----END RSA PRIVATE KEY-----',
].join('\n');

function capture(): { logger: pino.Logger; text: () => string } {
  const lines: string[] = [];
  const logger = pino({ level: 'debug', ...redactingLoggerOptions() }, { write: (l: string) => void lines.push(l) });
  return { logger, text: () => lines.join('') };
}

describe('redactingLoggerOptions', () => {
  it('redacts aps.x509 of a logged body, at any of the usual depths', () => {
    const { logger, text } = capture();
    const body = { aps: { id: 'g1', x509: { self: `cert\n${KEY}`, controller: 'cert' } }, apiUrl: 'u' };
    logger.info(body, 'as the object');
    logger.info({ body }, 'under body');
    logger.info({ req: { body } }, 'under req.body');
    expect(text()).not.toContain('MIGHAgEA');
    expect(text()).toContain('[redacted]');
    expect(text()).toContain('"apiUrl":"u"');
  });

  it('scrubs PEM private keys from any string, in objects, arrays and messages', () => {
    const { logger, text } = capture();
    logger.info({ note: `before ${KEY} after`, list: [RSA_KEY] }, 'object');
    logger.warn(`a message quoting ${RSA_KEY}`);
    logger.error({ nested: { deeper: { text: `x${KEY}` } } }, 'nested');
    expect(text()).not.toContain('MIGHAgEA');
    expect(text()).not.toContain('secretsecret');
    expect(text()).toContain('before [redacted] after');
    expect(text()).toContain('a message quoting [redacted]');
  });
});
