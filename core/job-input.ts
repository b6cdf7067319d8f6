/**
 * The update-job (AWS Import/Export) input: the AWS shape `aws importexport update-job --generate-cli-skeleton`
 * prints (`JobId`, `Manifest`, `JobType`, `ValidateOnly`, `APIVersion`), camelCase accepted too, and the one
 * parser that turns it into the request. `Manifest` may be `file://path`, read as the AWS CLI reads it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { invalidInput } from './errors';
import type { JobType, UpdateJobRequest } from './importexport-client';
import { checkKnownKeys, isGiven, parseBoolean, parseEnum, parseString } from './parse';

/** What callers may pass. */
export interface UpdateJobInputRaw {
  JobId?: unknown;
  Manifest?: unknown;
  JobType?: unknown;
  ValidateOnly?: unknown;
  APIVersion?: unknown;
  jobId?: unknown;
  manifest?: unknown;
  jobType?: unknown;
  validateOnly?: unknown;
  apiVersion?: unknown;
}

/** The validated request. */
export type UpdateJobInput = UpdateJobRequest;

/** Each field by its AWS name, with the camelCase spelling accepted for it. */
const FIELDS = {
  JobId: 'jobId',
  Manifest: 'manifest',
  JobType: 'jobType',
  ValidateOnly: 'validateOnly',
  APIVersion: 'apiVersion',
} as const;
type Field = keyof typeof FIELDS;

const JOB_TYPES: readonly JobType[] = ['Import', 'Export'];
/** Job ids are short tokens such as `EX1ID`; white space or control characters mean a copy-paste went wrong. */
const JOB_ID = { min: 1, max: 64, pattern: /^[^\s\p{C}]+$/u, patternText: 'the job id without spaces' };

/**
 * The manifest text: given inline, or `file://path` read as UTF-8 (relative to `cwd`). Messages name the path,
 * never the content.
 */
export function readManifest(value: unknown, cwd: string = process.cwd()): string {
  const field = 'Manifest';
  const text = parseString(field, value);
  const match = /^fileb?:\/\/(.+)$/s.exec(text);
  if (!match) return text;
  const path = resolve(cwd, match[1]!);
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem =
      code === 'ENOENT' ? 'names a file that does not exist' : `names a file that cannot be read (${code})`;
    throw invalidInput(field, `${problem}: ${path}`, 'give the path of the manifest file, or the manifest text itself');
  }
  if (content.trim() === '') throw invalidInput(field, `file ${path} is empty`, 'give a manifest with its fields');
  return content;
}

/**
 * Parses and validates an update-job input before anything is sent.
 *
 * @throws StepError `invalid-input` naming the field.
 * @example parseUpdateJobInput({ JobId: 'EX1ID', Manifest: 'file://manifest.txt', JobType: 'import' })
 */
export function parseUpdateJobInput(raw: unknown, cwd?: string): UpdateJobInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalidInput('input', 'must be an object with JobId, Manifest and JobType', 'pass the AWS request shape');
  }
  const names = Object.keys(FIELDS) as Field[];
  checkKnownKeys(raw, [...names, ...Object.values(FIELDS)], 'UpdateJob');
  const r = raw as Record<string, unknown>;
  const value = (field: Field): unknown => {
    const [aws, camel] = [r[field], r[FIELDS[field]]];
    if (isGiven(aws) && isGiven(camel)) {
      throw invalidInput(field, `is given twice, as ${field} and ${FIELDS[field]}`, 'keep one');
    }
    return isGiven(aws) ? aws : camel;
  };
  const validateOnly = value('ValidateOnly');
  const apiVersion = value('APIVersion');
  return {
    jobId: parseString('JobId', value('JobId'), JOB_ID),
    manifest: readManifest(value('Manifest'), cwd),
    jobType: parseEnum('JobType', value('JobType'), JOB_TYPES),
    validateOnly: isGiven(validateOnly) ? parseBoolean('ValidateOnly', validateOnly) : false,
    ...(isGiven(apiVersion) && { apiVersion: parseString('APIVersion', apiVersion, { max: 64 }) }),
  };
}
