/**
 * Import/Export manifests as the step handles them: compared without caring about line endings or trailing
 * white space, and shown (when a wrapper must show one) with the access key id masked. A manifest also holds
 * shipping details, so the core itself never puts one in a message.
 */

/** The manifest as compared: LF line endings, no trailing white space on a line, no trailing blank lines. */
export function normalizeManifest(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n+$/, '');
}

/** Whether two manifests say the same thing, by `normalizeManifest`. */
export function sameManifest(a: string, b: string): boolean {
  return normalizeManifest(a) === normalizeManifest(b);
}

/**
 * The manifest with the value of its `accessKeyId` field masked to its first four characters
 * (`accessKeyId: AKIA****************`), for the places a wrapper has to print one.
 */
export function maskManifest(text: string): string {
  return text.replace(
    /^(\s*accessKeyId\s*:\s*)(\S+)(.*)$/gm,
    (_, key: string, value: string, rest: string) =>
      `${key}${value.slice(0, 4)}${'*'.repeat(Math.max(0, value.length - 4))}${rest}`,
  );
}

/** The value of the manifest's `accessKeyId` field, if it has one: wrappers register it as a secret to mask. */
export function manifestAccessKeyId(text: string): string | undefined {
  return /^\s*accessKeyId\s*:\s*(\S+)/m.exec(text)?.[1];
}
