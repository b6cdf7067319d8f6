/**
 * Once per `npm test`: says in one line when the comparisons with AWS CLI v2 will not run, and why (a fresh machine
 * without Debian's `awscli` package; `.ci/run` installs it and fails without it).
 */
import { awsCliV2 } from './helpers/aws-cli';

export default function globalSetup(): void {
  const v2 = awsCliV2();
  if (!v2.available) process.stdout.write(`\nAWS CLI v2 comparisons did not run: ${v2.reason}\n`);
}
