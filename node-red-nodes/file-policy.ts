/**
 * Whether a node reads `file://` values in messages, and from where: the node's "Read file:// manifests" setting.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';

import type { FilePolicy } from '../core/shared/input-files';

export interface FilePolicyConfig {
  /** `file://` values in messages are read only when this is ticked, and only inside `manifestDir`. */
  readonly manifestFiles?: boolean;
  readonly manifestDir?: string;
}

/**
 * How the node reads `file://` values: messages can come from outside the flow (an `http in`, an MQTT topic), so
 * off unless the node allows it, and then only inside the directory it names. A directory that is missing or not a
 * directory is said at deploy.
 */
export function filePolicy(config: FilePolicyConfig): { policy: FilePolicy; problem?: string } {
  const fix = "tick 'Read file:// manifests' in the node and name a directory, or send the manifest text itself";
  if (config.manifestFiles !== true) return { policy: { refused: true, fix } };
  const dir = typeof config.manifestDir === 'string' ? config.manifestDir.trim() : '';
  const problem =
    dir === ''
      ? 'no manifest directory is named'
      : !isAbsolute(dir)
        ? `the manifest directory ${dir} is not an absolute path`
        : !existsSync(dir) || !statSync(dir).isDirectory()
          ? `the manifest directory ${dir} is not a directory`
          : undefined;
  if (problem) return { policy: { refused: true, fix: `${problem}; name an existing directory in the node` }, problem };
  return { policy: { cwd: dir, root: dir } };
}
