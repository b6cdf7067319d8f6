/** The "Keep reports until delivered" setting as the runtime reads it, for every value a flow can hold. */
import { outboxMode } from './node-outbox';

const offers = { name: 'update-job-execution', outbox: { byDefault: true } } as const;
const offersOff = { name: 'some-write', outbox: { byDefault: false } } as const;
const read = { name: 'describe-job-execution', readOnly: true } as const;

test.each([
  // Saved before the option, by an earlier editor (its ticked box was the default), by this editor.
  [undefined, 'auto'],
  ['', 'auto'],
  [true, 'auto'],
  ['true', 'auto'],
  ['auto', 'auto'],
  ['on', 'on'],
  [false, 'off'],
  ['false', 'off'],
  ['off', 'off'],
])('on an operation that offers it, %p reads as %s', (outbox, mode) => {
  expect(outboxMode({ outbox }, offers)).toEqual({ mode });
});

test('unset follows the operation: off where it does not keep reports by default', () => {
  expect(outboxMode({}, offersOff)).toEqual({ mode: 'off' });
  expect(outboxMode({ outbox: true }, offersOff)).toEqual({ mode: 'auto' });
});

test('a value no editor saves is refused, naming the setting and its values', () => {
  expect(outboxMode({ outbox: 'always' }, offers)).toEqual({
    problem: 'the setting is "always"; set "Keep reports until delivered" to auto, on or off',
  });
});

test.each([true, 'auto', 'on'])('a read refuses %p, saying why', (outbox) => {
  expect(outboxMode({ outbox }, read)).toEqual({
    problem:
      'describe-job-execution cannot keep reports until delivered: it only reads, and a late read answers nothing ' +
      'useful; set "Keep reports until delivered" to off',
  });
});

test.each([undefined, '', false, 'off'])('a read takes %p as off', (outbox) => {
  expect(outboxMode({ outbox }, read)).toEqual({ mode: 'off' });
});
