/** Running `apskit init` in process, in a given working folder (the command resolves paths from it). */
import { main } from '../../src/main';

export interface InProcessRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export async function apskitAt(cwd: string, ...args: string[]): Promise<InProcessRun> {
  let out = '';
  let err = '';
  const before = process.cwd();
  process.chdir(cwd);
  try {
    const code = await main(['node', 'apskit', ...args], {
      out: (t) => void (out += t),
      err: (t) => void (err += t),
    });
    return { code, out, err };
  } finally {
    process.chdir(before);
  }
}
