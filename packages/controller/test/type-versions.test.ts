import { olderMinorIds, parseTypeId, withOlderMinors } from '../src/registry/type-versions';

describe('type ID versions (a newer minor version only adds properties: kb.cloudblue.com/en/120574)', () => {
  it('parses base, major and minor', () => {
    expect(parseTypeId('http://vendor.example/mailbox/1.2')).toEqual({
      base: 'http://vendor.example/mailbox',
      major: 1,
      minor: 2,
    });
    expect(parseTypeId('http://vendor.example/mailbox/2')).toEqual({
      base: 'http://vendor.example/mailbox',
      major: 2,
      minor: 0,
    });
    expect(parseTypeId('not a type id')).toBeUndefined();
  });

  it('lists the older minor versions of the same major, never another major', () => {
    expect(olderMinorIds('http://v.example/mailbox/1.2')).toEqual([
      'http://v.example/mailbox/1',
      'http://v.example/mailbox/1.0',
      'http://v.example/mailbox/1.1',
    ]);
    expect(olderMinorIds('http://v.example/mailbox/2.0')).toEqual(['http://v.example/mailbox/2']);
  });

  it('a source of mailbox/1.1 answers to a subscription to mailbox/1.0 (and to what it implements)', () => {
    expect(
      withOlderMinors(['http://v.example/mailbox/1.1', 'http://aps-standard.org/types/core/resource/1.0']),
    ).toEqual([
      'http://v.example/mailbox/1.1',
      'http://v.example/mailbox/1',
      'http://v.example/mailbox/1.0',
      'http://aps-standard.org/types/core/resource/1.0',
      'http://aps-standard.org/types/core/resource/1',
    ]);
  });
});
