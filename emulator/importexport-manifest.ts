/**
 * AWS Import/Export manifests: parsing the YAML-ish `key: value` text a CreateJob/UpdateJob request carries, and
 * the validation the emulator applies to it. Every failure names the manifest field or line, never a value: a
 * manifest holds an access key id, addresses and sometimes a TrueCrypt password.
 *
 * What is accepted (a deliberate subset of YAML, wide enough for every manifest in AWS's documentation):
 * - `key: value` and `key:value` lines; blank lines and `#` comments are skipped; values are trimmed.
 * - A key with an empty value opens a section (`returnAddress:`, `operations:`); the indented lines after it are the
 *   section's `key: value` entries. A leading `- ` on an entry (a YAML list item, as in export `operations:`) is
 *   dropped, so sections are ordered lists of entries that may repeat a key.
 * - Address fields written without indentation directly after `returnAddress:` belong to it, because that is how
 *   the AWS CLI's own create-job example writes them; none of them is a top-level manifest field, so nothing is
 *   ambiguous.
 */

/** The manifest error names AWS Import/Export answers with (its model's exception shapes). */
export const ManifestErrorCode = {
  Malformed: 'MalformedManifestException',
  MissingField: 'MissingManifestFieldException',
  InvalidField: 'InvalidManifestFieldException',
  InvalidFileSystem: 'InvalidFileSystemException',
} as const;
export type ManifestErrorCode = (typeof ManifestErrorCode)[keyof typeof ManifestErrorCode];

/** A refused manifest; `message` names a field or a line number only. */
export interface ManifestError {
  readonly code: ManifestErrorCode;
  readonly message: string;
}

/** One `key: value` entry inside a section. */
export interface ManifestEntry {
  readonly key: string;
  readonly value: string;
}

/** A manifest as parsed: top-level scalar fields and the sections opened by an empty-valued key. */
export interface ParsedManifest {
  readonly fields: ReadonlyMap<string, string>;
  readonly sections: ReadonlyMap<string, readonly ManifestEntry[]>;
}

/** The job kinds a manifest is validated for (the model's JobType enum). */
export const JobType = { Import: 'Import', Export: 'Export' } as const;
export type JobType = (typeof JobType)[keyof typeof JobType];

/** What validation learned that the service needs: the warning to give and the key id to check. */
export interface ValidatedManifest {
  readonly eraseDevice: boolean;
  /** The manifest's `accessKeyId` field, if it has one; the caller compares it with the signing key. */
  readonly accessKeyId: string | undefined;
}

/** Manifest versions AWS Import/Export documents (2.0 current, 1.5 the previous format). */
export const MANIFEST_VERSIONS = ['1.5', '2.0'] as const;

/** Export file systems AWS documents for Import/Export Disk exports; anything else is InvalidFileSystemException. */
export const EXPORT_FILE_SYSTEMS = ['NTFS', 'EXT4'] as const;

/** The address fields a `returnAddress:` section may hold. */
const ADDRESS_FIELDS = new Set([
  'name',
  'company',
  'street1',
  'street2',
  'street3',
  'city',
  'stateOrProvince',
  'postalCode',
  'country',
  'phoneNumber',
]);

/** Address fields a shipper needs; the rest are optional. */
const REQUIRED_ADDRESS_FIELDS = ['name', 'street1', 'city', 'postalCode', 'country', 'phoneNumber'] as const;

const RETURN_ADDRESS = 'returnAddress';
const OPERATIONS = 'operations';

const KEY_VALUE = /^([A-Za-z][A-Za-z0-9_.-]*)\s*:(.*)$/;
// C0 controls other than tab/LF/CR, DEL, and U+FFFD (what invalid UTF-8 decodes to): a binary upload, not a manifest.
// eslint-disable-next-line no-control-regex
const BINARY = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFD]/;

function malformed(message: string): ManifestError {
  return { code: ManifestErrorCode.Malformed, message: `The manifest is not well-formed: ${message}` };
}

function missing(field: string): ManifestError {
  return { code: ManifestErrorCode.MissingField, message: `The manifest is missing the required field ${field}.` };
}

function invalid(field: string, expected: string): ManifestError {
  return { code: ManifestErrorCode.InvalidField, message: `The manifest field ${field} is invalid: ${expected}.` };
}

function isIndented(line: string): boolean {
  return line.startsWith(' ') || line.startsWith('\t');
}

/** Parses manifest text, or says why it is not a manifest (naming a line number, never echoing it). */
export function parseManifest(text: string): ParsedManifest | ManifestError {
  if (text.trim().length === 0) return malformed('it is empty');
  if (BINARY.test(text)) return malformed('it contains binary or control characters');
  const fields = new Map<string, string>();
  const sections = new Map<string, ManifestEntry[]>();
  let open: ManifestEntry[] | undefined;
  let openName: string | undefined;
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    const lineNo = index + 1;
    const trimmed = line.trim();
    if (trimmed.length === 0 || trimmed.startsWith('#')) continue;
    const indented = isIndented(line);
    const entryText = indented && trimmed.startsWith('- ') ? trimmed.slice(2).trim() : trimmed;
    const match = KEY_VALUE.exec(entryText);
    if (!match) return malformed(`line ${lineNo} is not a "key: value" pair`);
    const key = match[1] as string;
    const value = (match[2] as string).trim();
    const intoOpenSection = indented || (openName === RETURN_ADDRESS && ADDRESS_FIELDS.has(key));
    if (intoOpenSection) {
      if (!open) return malformed(`line ${lineNo} is indented but no section is open`);
      open.push({ key, value });
      continue;
    }
    if (fields.has(key) || sections.has(key)) return malformed(`the field ${key} appears more than once`);
    if (value.length === 0) {
      open = [];
      openName = key;
      sections.set(key, open);
    } else {
      open = undefined;
      openName = undefined;
      fields.set(key, value);
    }
  }
  return { fields, sections };
}

/** Type guard: a parse or validation result that is a refusal. */
export function isManifestError(value: unknown): value is ManifestError {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value;
}

function sectionValue(manifest: ParsedManifest, section: string, key: string): string | undefined {
  const found = manifest.sections.get(section)?.find((e) => e.key === key)?.value;
  return found === undefined || found.length === 0 ? undefined : found;
}

function checkReturnAddress(manifest: ParsedManifest): ManifestError | undefined {
  const entries = manifest.sections.get(RETURN_ADDRESS);
  if (!entries) return missing(RETURN_ADDRESS);
  for (const entry of entries) {
    if (!ADDRESS_FIELDS.has(entry.key)) return invalid(`${RETURN_ADDRESS}.${entry.key}`, 'not an address field');
  }
  for (const field of REQUIRED_ADDRESS_FIELDS) {
    if (sectionValue(manifest, RETURN_ADDRESS, field) === undefined) return missing(`${RETURN_ADDRESS}.${field}`);
  }
  return undefined;
}

function checkDestination(manifest: ParsedManifest, jobType: JobType): ManifestError | undefined {
  if (jobType === JobType.Import) return manifest.fields.has('bucket') ? undefined : missing('bucket');
  // Export: a file system for the device, and a source bucket either as `bucket:` or as `operations:` entries.
  const fileSystem = manifest.fields.get('fileSystem');
  if (fileSystem === undefined) return missing('fileSystem');
  if (!(EXPORT_FILE_SYSTEMS as readonly string[]).includes(fileSystem.toUpperCase())) {
    return {
      code: ManifestErrorCode.InvalidFileSystem,
      message: `The manifest field fileSystem must be one of ${EXPORT_FILE_SYSTEMS.join(', ')}.`,
    };
  }
  if (manifest.fields.has('bucket') || sectionValue(manifest, OPERATIONS, 'exportBucket') !== undefined) {
    return undefined;
  }
  return missing(`bucket or ${OPERATIONS}.exportBucket`);
}

/**
 * The manifest version as written; AWS's CLI example writes `manifestVersion: 2.0;` (a stray semicolon), which the
 * emulator tolerates so that example works verbatim.
 */
function manifestVersion(manifest: ParsedManifest): string | undefined {
  return manifest.fields.get('manifestVersion')?.replace(/;$/, '').trim();
}

function checkScalars(manifest: ParsedManifest): ManifestError | undefined {
  const version = manifestVersion(manifest);
  if (version === undefined) return missing('manifestVersion');
  if (!(MANIFEST_VERSIONS as readonly string[]).includes(version)) {
    return invalid('manifestVersion', `supported versions are ${MANIFEST_VERSIONS.join(', ')}`);
  }
  if (!manifest.fields.has('deviceId')) return missing('deviceId');
  const erase = manifest.fields.get('eraseDevice');
  if (erase !== undefined && !/^(yes|no)$/i.test(erase)) return invalid('eraseDevice', 'must be yes or no');
  return undefined;
}

/**
 * Validates a manifest for a job type. Checks run in a fixed order (version, deviceId, eraseDevice, return address,
 * destination) so the first problem found is always the same one.
 */
export function validateManifest(text: string, jobType: JobType): ValidatedManifest | ManifestError {
  const manifest = parseManifest(text);
  if (isManifestError(manifest)) return manifest;
  const problem = checkScalars(manifest) ?? checkReturnAddress(manifest) ?? checkDestination(manifest, jobType);
  if (problem) return problem;
  return {
    eraseDevice: /^yes$/i.test(manifest.fields.get('eraseDevice') ?? ''),
    accessKeyId: manifest.fields.get('accessKeyId'),
  };
}
