/**
 * The simulated marketplace is another company's code: it may import Node's modules and its own
 * files, nothing of APSKit (no @apskit package, no file of the example's provisioner), so that its
 * signing and its result rules cannot agree with APSKit's by sharing them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const DIR = join(__dirname, '../src/marketplace');

it('src/marketplace imports only node: modules and its own files', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.ts'));
  expect(files.length).toBeGreaterThanOrEqual(4);
  const imports = files.flatMap((file) =>
    [...readFileSync(join(DIR, file), 'utf8').matchAll(/(?:from|import|require\()\s*['"]([^'"]+)['"]/g)].map(
      (m) => `${file}: ${m[1]}`,
    ),
  );
  expect(imports.length).toBeGreaterThan(0);
  const foreign = imports.filter((i) => !/: (node:[a-z_]+|\.\/[a-z-]+)$/.test(i));
  expect(foreign).toEqual([]);
});
