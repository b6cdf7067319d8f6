/**
 * The update-job (AWS Import/Export) input: the AWS shape `aws importexport update-job --generate-cli-skeleton`
 * prints (`JobId`, `Manifest`, `JobType`, `ValidateOnly`, `APIVersion`), camelCase accepted too, and the one
 * parser that turns it into the request. `Manifest` may be `file://path`, read as the AWS CLI reads it.
 */
import { invalidInput } from './errors';
import { fileReference, readInputFile, type FilePolicy } from './input-files';
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
 * The manifest text: given inline, or `file://path` read as UTF-8 under `files` (relative to its `cwd`; see
 * `readInputFile` for the bounds). Messages name the path, never the content.
 */
export async function readManifest(value: unknown, files?: FilePolicy): Promise<string> {
  const field = 'Manifest';
  const text = parseString(field, value);
  const reference = fileReference(text);
  if (reference === undefined) return text;
  const content = await readInputFile(field, reference, files);
  if (content.trim() === '') throw invalidInput(field, `file ${reference} is empty`, 'give a manifest with its fields');
  return content;
}

/**
 * Parses and validates an update-job input before anything is sent.
 *
 * @throws StepError `invalid-input` naming the field.
 * @example await parseUpdateJobInput({ JobId: 'EX1ID', Manifest: 'file://manifest.txt', JobType: 'import' })
 */
export async function parseUpdateJobInput(raw: unknown, files?: FilePolicy): Promise<UpdateJobInput> {
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
  const jobId = parseString('JobId', value('JobId'), JOB_ID);
  return {
    jobId,
    manifest: await readManifest(value('Manifest'), files),
    jobType: parseEnum('JobType', value('JobType'), JOB_TYPES),
    validateOnly: isGiven(validateOnly) ? parseBoolean('ValidateOnly', validateOnly) : false,
    ...(isGiven(apiVersion) && { apiVersion: parseString('APIVersion', apiVersion, { max: 64 }) }),
  };
}
