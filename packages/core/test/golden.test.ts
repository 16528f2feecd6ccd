import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildTypeModel, toApsSchema } from '@apskit/core';
import { PASubscription } from './fixtures/pa-subscription';

/** The golden file is read in place from ../shared, never copied into the repo. */
const GOLDEN = resolve(__dirname, '../../../../shared/golden/pa-subscription.schema.json');

describe('PASubscription', () => {
  it('emits the published schema byte for byte', () => {
    const golden = readFileSync(GOLDEN, 'utf8');
    expect(JSON.stringify(toApsSchema(PASubscription), null, 2)).toBe(golden.replace(/\n$/, ''));
  });

  it('gives the same schema from a model as from the class', () => {
    const model = buildTypeModel([PASubscription]);
    expect(toApsSchema(model.get('PASubscription'))).toEqual(toApsSchema(PASubscription));
  });
});
