/** The values no captured output may ever contain: the fixture secret key, the session token, the manifest key id. */
import { FIXTURE_CREDENTIALS } from './aws-cli';

export const SECRET_VALUES: readonly string[] = [
  FIXTURE_CREDENTIALS.secretAccessKey,
  FIXTURE_CREDENTIALS.sessionToken!,
  // The manifests in the tests carry the signing key id as their accessKeyId.
  FIXTURE_CREDENTIALS.accessKeyId,
];

/** Fails naming the secret and where it was found. `::add-mask::` lines (how a step registers secrets) are skipped. */
export function expectNoSecrets(where: string, ...texts: string[]): void {
  const all = texts
    .join('\n')
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
  for (const secret of SECRET_VALUES) {
    if (all.includes(secret)) throw new Error(`${where} contains a secret (${secret.slice(0, 4)}…)`);
  }
}
