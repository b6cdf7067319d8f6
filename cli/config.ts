/**
 * The settings the AWS CLI reads for these commands from its command line, the environment and the shared config
 * files, in its order (option, then variable, then the profile's entry): `output`, `region` and `ca_bundle`, for the
 * profile `--profile`, `AWS_PROFILE` or `default` names, and the two socket timeouts from their options.
 */
import { readFile } from 'node:fs/promises';

import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';

import type { StaticCredentials } from '../core/shared/connection';

function environmentCredentials(env: NodeJS.ProcessEnv): StaticCredentials | undefined {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN } = env;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return { accessKeyId, secretAccessKey, ...(AWS_SESSION_TOKEN && { sessionToken: AWS_SESSION_TOKEN }) };
}

/**
 * A setting the AWS CLI would refuse, with v2's exit code for it: 253 for what v2 calls a configuration error (no
 * region, no credentials), 255 for the rest (a missing profile, an unknown output type, a timeout that is no number).
 */
export class ConfigurationError extends Error {
  constructor(
    message: string,
    readonly exitCode: 253 | 255 = 255,
  ) {
    super(message);
  }
}

/** What the command line gave, by option name (`--cli-read-timeout` as `cli-read-timeout`). */
export type GlobalOptions = ReadonlyMap<string, string>;

/** The settings of one command, resolved. */
export interface CliSettings {
  readonly profile: string | undefined;
  /**
   * The key pair in the environment, which the AWS CLI takes before any profile unless `--profile` names one
   * (AWS_PROFILE does not set it aside, as it does in the SDK's chain).
   */
  readonly credentials: StaticCredentials | undefined;
  readonly output: string;
  readonly region: string | undefined;
  /** The PEM text of the CA bundle, read from the file the settings name. */
  readonly caBundle: string | undefined;
  /** Seconds; 0 is "no limit", as in the AWS CLI. */
  readonly readTimeout: number | undefined;
  readonly connectTimeout: number | undefined;
  /** Settings in the config file that the AWS CLI does not read, to say so on stderr. */
  readonly unread: readonly string[];
}

/**
 * Keys some guides put in the config file that AWS CLI v2 (2.9) reads only as options: it takes
 * `--cli-read-timeout` and `--cli-connect-timeout` from the command line alone, so these keys change nothing there
 * and do not here; the user is told.
 */
const OPTION_ONLY_KEYS: Readonly<Record<string, string>> = {
  cli_read_timeout: '--cli-read-timeout',
  cli_connect_timeout: '--cli-connect-timeout',
};

/** A number of seconds, as the AWS CLI takes it (`int`), from the option or config key `name`. */
function seconds(name: string, value: string | undefined, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\s*\d+\s*$/.test(value))
    throw new ConfigurationError(`${name} in ${where} is '${value}'; give a whole number of seconds (0 for no limit)`);
  return Number(value);
}

/**
 * The command's settings.
 *
 * @throws ConfigurationError for a named profile that no file has, an unreadable CA bundle or a bad timeout.
 */
export async function resolveCliSettings(options: GlobalOptions, env: NodeJS.ProcessEnv): Promise<CliSettings> {
  const named = options.get('profile') ?? (env.AWS_PROFILE || undefined);
  const files = await loadSharedConfigFiles({ ignoreCache: true });
  const profile = named ?? 'default';
  if (named !== undefined && !files.configFile[profile] && !files.credentialsFile[profile])
    throw new ConfigurationError(`The config profile (${profile}) could not be found`);
  const entry = files.configFile[profile] ?? {};
  // Where each setting came from, for the message when it is wrong.
  const pick = (option: string, variables: readonly string[], key: string): [string, string] | undefined => {
    const given = options.get(option);
    if (given !== undefined) return [given, `--${option}`];
    for (const variable of variables) if (env[variable]) return [env[variable], variable];
    const fromFile = entry[key];
    return fromFile === undefined ? undefined : [fromFile, `the ${key} setting of profile ${profile}`];
  };
  const caBundle = pick('ca-bundle', ['AWS_CA_BUNDLE'], 'ca_bundle');
  let caText: string | undefined;
  if (caBundle) {
    try {
      caText = await readFile(caBundle[0], 'utf8');
    } catch (error) {
      throw new ConfigurationError(
        `cannot read the CA bundle ${caBundle[0]} (${caBundle[1]}): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  }
  const read = options.has('cli-read-timeout') ? pick('cli-read-timeout', [], '') : undefined;
  const connect = options.has('cli-connect-timeout') ? pick('cli-connect-timeout', [], '') : undefined;
  const unread = Object.entries(OPTION_ONLY_KEYS)
    .filter(([key]) => entry[key] !== undefined)
    .map(([key, option]) => `${key} in profile ${profile} is not read by the AWS CLI, nor here; give ${option}`);
  return {
    profile: named,
    credentials: options.has('profile') ? undefined : environmentCredentials(env),
    output: pick('output', ['AWS_DEFAULT_OUTPUT'], 'output')?.[0] ?? 'json',
    region: pick('region', ['AWS_REGION', 'AWS_DEFAULT_REGION'], 'region')?.[0],
    caBundle: caText,
    readTimeout: seconds('cli-read-timeout', read?.[0], read?.[1] ?? ''),
    connectTimeout: seconds('cli-connect-timeout', connect?.[0], connect?.[1] ?? ''),
    unread,
  };
}
