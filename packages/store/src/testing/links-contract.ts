/**
 * The store contract for links: one stored link per (from, relation, to), the orders lists come
 * in, a page's links in one call, and relinks applied all at once.
 */
import type { LinkRecord } from '../records';
import type { Store } from '../store';

const link = (from: string, relation: string, to: string): LinkRecord => ({ from, relation, to });

/** Registers the link cases in the current describe; `store()` is the test's initialised store. */
export function linkContract(store: () => Store): void {
  it('keeps one link per (from, relation, to) and lists them by relation, then target id', async () => {
    const s = store();
    await s.link(link('a', 'users', 'u2'));
    await s.link(link('a', 'users', 'u1'));
    await s.link(link('a', 'account', 'acc'));
    await s.link(link('a', 'users', 'u1'));
    expect(await s.linksFrom('a')).toEqual([
      link('a', 'account', 'acc'),
      link('a', 'users', 'u1'),
      link('a', 'users', 'u2'),
    ]);
    expect(await s.linksFrom('a', 'users')).toEqual([link('a', 'users', 'u1'), link('a', 'users', 'u2')]);
    expect(await s.linksFrom('a', 'nothing')).toEqual([]);
    await s.unlink(link('a', 'users', 'u2'));
    await s.unlink(link('a', 'users', 'missing'));
    expect(await s.linksFrom('a', 'users')).toEqual([link('a', 'users', 'u1')]);
  });

  it('lists the links of many resources in one call, by source, relation and target', async () => {
    const s = store();
    await s.link(link('b', 'r', 'x'));
    await s.link(link('a', 's', 'y'));
    await s.link(link('a', 'r', 'z'));
    await s.link(link('c', 'r', 'x'));
    // Ids compared as UTF-8 bytes: 'é' (U+00E9) after 'z', '\u{1F600}' after '\uFFFD'.
    await s.link(link('\u{1F600}', 'r', 'x'));
    await s.link(link('\uFFFD', 'r', 'x'));
    await s.link(link('é', 'r', 'x'));
    expect(await s.linksOfMany(['a', 'b', 'é', '\u{1F600}', '\uFFFD', 'none'])).toEqual([
      link('a', 'r', 'z'),
      link('a', 's', 'y'),
      link('b', 'r', 'x'),
      link('é', 'r', 'x'),
      link('\uFFFD', 'r', 'x'),
      link('\u{1F600}', 'r', 'x'),
    ]);
    expect(await s.linksOfMany([])).toEqual([]);
  });

  it('changes links all at once: removes, adds, ignores what is already so, keeps a link in both lists', async () => {
    const s = store();
    await s.link(link('a', 'account', 'old'));
    await s.link(link('a', 'users', 'u1'));
    await s.link(link('a', 'users', 'u2'));
    await s.changeLinks(
      [link('a', 'account', 'old'), link('a', 'users', 'u2'), link('a', 'users', 'never-there')],
      [link('a', 'account', 'new'), link('a', 'users', 'u1'), link('a', 'users', 'u2'), link('a', 'users', 'u3')],
    );
    expect(await s.linksFrom('a')).toEqual([
      link('a', 'account', 'new'),
      link('a', 'users', 'u1'),
      link('a', 'users', 'u2'),
      link('a', 'users', 'u3'),
    ]);
    await s.changeLinks([], []);
    await s.changeLinks([link('a', 'users', 'u3')], [link('a', 'users', 'u4'), link('a', 'users', 'u4')]);
    expect((await s.linksFrom('a', 'users')).map((l) => l.to)).toEqual(['u1', 'u2', 'u4']);
  });
}
