/**
 * How a connection reads AWS where its documents disagree or say nothing, on the points that change what a step must
 * check before sending or decide after: the longest `statusDetails` value, and whether an update's `statusDetails`
 * replace the execution's or are merged into them. Each is a connection setting of the same name in every wrapper (and
 * a setting of the emulator), so the core's checks and its idempotency decisions follow the reading the user chose.
 */
import { invalidInput } from './errors';
import { describeValue, isGiven, parseEnum } from './parse';

/**
 * The longest `statusDetails` value, by reading: 1,024 is the `DetailsValue` maximum in AWS CLI v2's `iot-jobs-data`
 * model (v1's botocore gives none), 128 the developer guide's job-limits table.
 */
export const StatusDetailsValueLength = { Model: 1024, LimitsTable: 128 } as const;
export type StatusDetailsValueLength = (typeof StatusDetailsValueLength)[keyof typeof StatusDetailsValueLength];

/**
 * What an update's `statusDetails` do to the execution's (the model says only "If not specified, the statusDetails
 * are unchanged"): `replace`, the given map becomes the execution's; `merge`, the given pairs are set and the others
 * kept.
 */
export const StatusDetailsUpdate = { Replace: 'replace', Merge: 'merge' } as const;
export type StatusDetailsUpdate = (typeof StatusDetailsUpdate)[keyof typeof StatusDetailsUpdate];

/** The readings a connection's steps follow. */
export interface Readings {
  readonly statusDetailsValueLength: StatusDetailsValueLength;
  readonly statusDetailsUpdate: StatusDetailsUpdate;
}

/** The model's length, and the map as the request sends it (what the emulator does by default too). */
export const DEFAULT_READINGS: Readings = {
  statusDetailsValueLength: StatusDetailsValueLength.Model,
  statusDetailsUpdate: StatusDetailsUpdate.Replace,
};

/**
 * `statusDetailsValueLength`: 1024 or 128 (a number or its digits), the two readings there are; any other length
 * would be a third reading nobody documents, so it is refused. `field` is the name the wrapper's user typed.
 *
 * @throws StepError `invalid-input` naming the field and the two readings.
 * @example parseStatusDetailsValueLength('128') // 128
 */
export function parseStatusDetailsValueLength(
  value: unknown,
  field = 'statusDetailsValueLength',
): StatusDetailsValueLength {
  if (!isGiven(value)) return DEFAULT_READINGS.statusDetailsValueLength;
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (n === StatusDetailsValueLength.Model || n === StatusDetailsValueLength.LimitsTable) return n;
  const shown = typeof value === 'number' ? String(value) : describeValue(value);
  throw invalidInput(
    field,
    `is ${shown}`,
    "use 1024 (AWS CLI v2's iot-jobs-data model) or 128 (the developer guide's job-limits table)",
  );
}

/**
 * `statusDetailsUpdate`: `replace` or `merge`, in any case.
 *
 * @throws StepError `invalid-input` naming the field and both readings.
 * @example parseStatusDetailsUpdate('merge') // 'merge'
 */
export function parseStatusDetailsUpdate(value: unknown, field = 'statusDetailsUpdate'): StatusDetailsUpdate {
  if (!isGiven(value)) return DEFAULT_READINGS.statusDetailsUpdate;
  return parseEnum(
    field,
    value,
    Object.values(StatusDetailsUpdate),
    " (replace: the given map becomes the execution's; merge: the given pairs are set, the others kept)",
  );
}
