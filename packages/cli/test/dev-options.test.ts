/**
 * `apskit dev` refuses options it cannot use before anything starts: one clear line on stderr and
 * exit code 1 (the built command, in a process of its own).
 */
import { apskit } from './helpers/cli';

test.each([
  [['--port', 'eighty'], 'The port (--port or PORT) must be a number from 0 to 65535'],
  [['--time-scale', '0'], 'The time scale (--time-scale or APSKIT_TIME_SCALE) must be a positive number'],
  [['--endpoint-url', 'ftp://example.com/'], '--endpoint-url must be an http:// or https:// URL'],
  [['--endpoint-url', 'not a url'], "--endpoint-url must be the endpoint's http:// or https:// URL"],
])('apskit dev %j is refused before anything starts', (args, message) => {
  const r = apskit('dev', 'examples/async-provisioning', ...args);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(message);
  expect(r.stdout).toBe('');
});

test('apskit dev names the module it cannot find', () => {
  const r = apskit('dev', 'examples/no-such-example');
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('Cannot find module "examples/no-such-example"');
});
