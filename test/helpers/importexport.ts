/**
 * Import/Export fixtures shared by the tests: manifests in the documented layouts and the emulator's job dump.
 */
import { Connection } from '../../core/index';
import { importExportClient } from '../../core/import-export/importexport-client';
import { FIXTURE_CREDENTIALS } from './aws-cli';
import { adminRequest } from './emulator';

/** The AWS CLI's create-job example manifest, verbatim: `2.0;` and address fields written without indentation. */
export const CLI_EXAMPLE_MANIFEST = `manifestVersion: 2.0;
returnAddress:
name: Jane Roe
company: Example Corp.
street1: 123 Any Street
city: Anytown
stateOrProvince: WA
postalCode: 91011-1111
phoneNumber: 206-555-1111
country: USA
deviceId: 49382
eraseDevice: yes
notificationEmail: john.doe@example.com;jane.roe@example.com
bucket: amzn-s3-demo-bucket
`;

export type Fields = Record<string, string | null>;

/** An import manifest in the documented indented layout; `null` removes a field. */
export function manifest(top: Fields = {}, address: Fields = {}): string {
  const fields: Fields = {
    manifestVersion: '2.0',
    deviceId: '49382',
    eraseDevice: 'yes',
    bucket: 'amzn-s3-demo-bucket',
    accessKeyId: FIXTURE_CREDENTIALS.accessKeyId,
    ...top,
  };
  const addressFields: Fields = {
    name: 'Jane Roe',
    company: 'Example Corp.',
    street1: '123 Any Street',
    city: 'Anytown',
    stateOrProvince: 'WA',
    postalCode: '91011-1111',
    phoneNumber: '206-555-1111',
    country: 'USA',
    ...address,
  };
  const lines = Object.entries(fields)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k}: ${v}`);
  lines.push('returnAddress:');
  for (const [k, v] of Object.entries(addressFields)) if (v !== null) lines.push(`    ${k}: ${v}`);
  return `${lines.join('\n')}\n`;
}

/** An export manifest: a file system and the bucket to export as an `operations:` list. */
export const EXPORT_MANIFEST = `manifestVersion: 2.0
deviceId: 5301
fileSystem: NTFS
logBucket: amzn-s3-demo-bucket
operations:
  - exportBucket: amzn-s3-demo-bucket
returnAddress:
    name: Jane Roe
    street1: 123 Any Street
    city: Anytown
    postalCode: 91011-1111
    phoneNumber: 206-555-1111
    country: USA
`;

export interface JobDump {
  id: string;
  type: string;
  manifest: string;
  canceled: boolean;
  progressCode: string;
  locationCode: string;
  updateCount: number;
  ownerAccessKeyId: string | null;
  creationDate: string;
}

/** The emulator's Import/Export jobs, from its state dump. */
export async function importExportJobs(url: string): Promise<JobDump[]> {
  const state = (await (await adminRequest(url, 'GET', 'state')).json()) as { importexport: { jobs: JobDump[] } };
  return state.importexport.jobs;
}

/** Moves a job on through the emulator's admin route (e.g. `{ progressCode: 'InProgress' }`: transfer started). */
export function setProgress(url: string, jobId: string, body: Record<string, string>): Promise<Response> {
  return adminRequest(url, 'POST', `importexport/jobs/${jobId}/progress`, body);
}

/**
 * Creates an Import/Export job in the emulator at `url` as a user would (`CreateJob`, signed by the fixture key),
 * with `text` as its manifest; its job id.
 */
export async function createImportExportJob(
  url: string,
  text = manifest(),
  jobType: 'Import' | 'Export' = 'Import',
): Promise<string> {
  const aws = new Connection({ endpoint: url, credentials: FIXTURE_CREDENTIALS });
  try {
    return (await importExportClient(aws).createJob({ manifest: text, jobType, validateOnly: false })).jobId;
  } finally {
    aws.destroy();
  }
}
