/**
 * One benchmark server: `plain`, `apskit` or `rc` (routing-controllers). It serves the same two
 * routes (retrieve from an in-memory map, and validated provision), listens on 127.0.0.1 on a free
 * port, and prints the port. The parent process drives it with autocannon.
 */
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import { createEndpoint } from '@apskit/express';
import { Body, Get, JsonController, Param, Post, useExpressServer } from 'routing-controllers';
import { SAMPLE, Subscription, SubscriptionDto } from './types';

const store = new Map<string, Record<string, unknown>>([['sub-1', { aps: { id: 'sub-1' }, ...SAMPLE }]]);

// ---- plain express: the same rules, checked by hand ------------------------------------------

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TOP = new Set(['aps', 'name', 'seats', 'tags', 'contact']);
const CONTACT = new Set(['email', 'limits']);
const LIMIT = new Set(['resourceId', 'limit']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function unknownKeys(o: Record<string, unknown>, allowed: Set<string>, base: string, errors: string[]): void {
  for (const k in o) if (!allowed.has(k)) errors.push(`${base}${k}: unknown`);
}

function validateByHand(b: unknown): string[] {
  const errors: string[] = [];
  if (!isObject(b)) return ['body: must be an object'];
  unknownKeys(b, TOP, '', errors);
  if (typeof b.name !== 'string' || b.name.length > 64) errors.push('name');
  if (!Number.isInteger(b.seats) || (b.seats as number) < 1) errors.push('seats');
  if (b.tags !== undefined && (!Array.isArray(b.tags) || !b.tags.every((t) => typeof t === 'string')))
    errors.push('tags');
  const c = b.contact;
  if (!isObject(c)) errors.push('contact');
  else {
    unknownKeys(c, CONTACT, 'contact.', errors);
    if (typeof c.email !== 'string' || !EMAIL.test(c.email)) errors.push('contact.email');
    if (c.limits !== undefined) {
      if (!Array.isArray(c.limits) || c.limits.length > 100) errors.push('contact.limits');
      else
        c.limits.forEach((l: unknown, i: number) => {
          if (!isObject(l)) return errors.push(`contact.limits[${i}]`);
          unknownKeys(l, LIMIT, `contact.limits[${i}].`, errors);
          if (!Number.isInteger(l.resourceId)) errors.push(`contact.limits[${i}].resourceId`);
          if (!Number.isInteger(l.limit) || (l.limit as number) < 0) errors.push(`contact.limits[${i}].limit`);
        });
    }
  }
  return errors;
}

function plainApp(): express.Express {
  const app = express();
  app.use(express.json());
  app.get('/subscriptions/:id', (req: Request, res: Response) => {
    const found = store.get(req.params.id as string);
    if (!found) res.status(404).json({ code: 404, error: 'NotFound', message: 'no such resource' });
    else res.json(found);
  });
  app.post('/subscriptions', (req: Request, res: Response) => {
    const errors = validateByHand(req.body);
    if (errors.length > 0) res.status(400).json({ code: 400, error: 'BadRequest', message: errors.join('; ') });
    else res.json(req.body);
  });
  return app;
}

// ---- APSKit ------------------------------------------------------------------------------------

function apskitApp(): express.Express {
  const app = express();
  app.use(
    createEndpoint({
      services: { subscriptions: Subscription },
      loadResource: async ({ id }) => store.get(id),
      logger: false,
    }),
  );
  return app;
}

// ---- routing-controllers with class-validator ---------------------------------------------------

@JsonController()
class SubscriptionController {
  @Get('/subscriptions/:id')
  get(@Param('id') id: string): Record<string, unknown> | undefined {
    return store.get(id);
  }

  @Post('/subscriptions')
  create(@Body() body: SubscriptionDto): SubscriptionDto {
    return body;
  }
}

function rcApp(): express.Express {
  const app = express();
  useExpressServer(app, {
    controllers: [SubscriptionController],
    validation: { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: false },
    classTransformer: true,
    defaultErrorHandler: true,
  });
  return app;
}

const kind = process.argv[2];
const make = { plain: plainApp, apskit: apskitApp, rc: rcApp }[kind ?? ''];
if (!make) {
  console.error('usage: server.ts plain|apskit|rc');
  process.exit(2);
}
const server = make().listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
