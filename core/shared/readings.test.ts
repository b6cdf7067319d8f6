/**
 * The statusDetails readings: the two settings' parsers, the comparison the idempotency decisions rest on under each
 * reading, and the outbox's coalescing, which must hold under both because the outbox does not know the reading.
 */
import { detailsAsAsked } from '../iot-jobs/job-execution-fields';
import { parseStatusDetailsUpdate, parseStatusDetailsValueLength } from './readings';
import { definition } from '../iot-jobs/operations/update-job-execution';

test('each setting takes its readings, in the forms wrappers hand over, and nothing else', () => {
  expect([1024, '1024', ' 128 ', undefined, ''].map((v) => parseStatusDetailsValueLength(v))).toEqual([
    1024, 1024, 128, 1024, 1024,
  ]);
  for (const bad of [256, '-128', 1024.5, '1e3', true])
    expect(() => parseStatusDetailsValueLength(bad)).toThrow(/use 1024/);
  expect(() => parseStatusDetailsValueLength(64, 'status-details-value-length')).toThrow(
    /^status-details-value-length is 64; /,
  );
  expect(['merge', 'MERGE', 'Replace', undefined].map((v) => parseStatusDetailsUpdate(v))).toEqual([
    'merge',
    'merge',
    'replace',
    'replace',
  ]);
  expect(() => parseStatusDetailsUpdate('patch', '--status-details-update')).toThrow(
    /^--status-details-update is "patch"; use one of replace, merge/,
  );
});

test('already as asked: the same map under replace, every asked pair under merge', () => {
  const current = { step: '3', progress: '90' };
  const cases: [Record<string, string>, boolean, boolean][] = [
    // wanted, under replace, under merge
    [{ step: '3', progress: '90' }, true, true],
    [{ step: '3' }, false, true],
    [{ step: '4' }, false, false],
    [{ step: '3', result: 'ok' }, false, false],
    [{}, false, true],
  ];
  for (const [wanted, replace, merge] of cases) {
    expect([wanted, detailsAsAsked(wanted, current, 'replace'), detailsAsAsked(wanted, current, 'merge')]).toEqual([
      wanted,
      replace,
      merge,
    ]);
  }
  expect(detailsAsAsked({ toString: 'x' }, {}, 'merge')).toBe(false);
});

test('a waiting progress report gives way only to one naming all its keys (what both readings end in alike)', () => {
  const supersedes = definition.outbox!.supersedes!;
  const p = (statusDetails?: Record<string, string>) => ({ status: 'IN_PROGRESS', statusDetails });
  expect(supersedes(p({ a: '1', b: '1' }), p({ a: '2', b: '2', c: '2' }))).toBe(true);
  expect(supersedes(p(), p({ a: '2' }))).toBe(true);
  // Under merge, sending both keeps b: 1; the newer one alone would not.
  expect(supersedes(p({ a: '1', b: '1' }), p({ a: '2' }))).toBe(false);
});
