/**
 * The benchmark's floor: a bare node:http server in its own process that reads each body and answers
 * 202 at once (no authentication, no store, no processing). What a burst costs this machine's HTTP
 * stack and the sending process alone; APSKit's acknowledgement latency is read against it.
 * Prints `url <url> -` once listening.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(202, { 'content-type': 'application/json' }).end('{}'));
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`url http://127.0.0.1:${(server.address() as AddressInfo).port}/ -\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
