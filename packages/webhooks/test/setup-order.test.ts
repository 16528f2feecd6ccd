/**
 * The webhooks define jobs the controller runs, so they must be set up before it starts: a started
 * controller would pick up left-over jobs it has no definition for.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller } from '@apskit/controller';
import { createWebhooks, type WebhookOptions } from '@apskit/webhooks';
import { services } from './fixtures/space';

it('refuses to be set up on a controller that has already started, saying why', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apskit-webhooks-order-'));
  const controller = new Controller({ app: { name: 'order', services }, dataDir: dir });
  try {
    await controller.start();
    // The check comes before the options are read, so none are needed to show it.
    expect(() => createWebhooks(controller, {} as WebhookOptions)).toThrow(
      'createWebhooks(controller, …) must be called before controller.start()',
    );
  } finally {
    await controller.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
