/**
 * `action.yml`, rendered from the operations' definitions and the action's common inputs: every operation's
 * parameters are inputs (by flag name), every result field an output. GitHub reads it as a static file;
 * `npm run generate` writes it and test/generated-files.test.ts fails, naming the line, when the committed one differs.
 */
import { StepErrorCode } from '../core/shared/errors';
import type { OperationDefinition } from '../core/shared/operation';
import { COMMON_INPUTS, DEFAULT_OPERATION, FILE_PLACES } from './inputs';

type Operation = OperationDefinition;

interface Entry {
  readonly description: string;
  readonly required?: false;
  readonly default?: string;
}

/**
 * Descriptions of a name several operations share, by operation: `a, b: text` when they say the same, else one
 * clause per wording. Operations in registry order.
 */
function describe(uses: readonly { operation: string; text: string }[]): string {
  const byText = new Map<string, string[]>();
  for (const { operation, text } of uses) byText.set(text, [...(byText.get(text) ?? []), operation]);
  return [...byText].map(([text, operations]) => `${operations.join(', ')}: ${text}`).join(' ');
}

/** Notes only the action needs on a parameter: how it reads files, what it assumes when not set. */
function actionNotes(operation: Operation, member: string): string {
  const p = operation.parameters.find((q) => q.member === member)!;
  const notes: string[] = [];
  if (p.file) notes.push('Secrets in it are masked in logs.', FILE_PLACES);
  if (operation.resultDefaults && member in operation.resultDefaults)
    notes.push(`Taken as ${String(operation.resultDefaults[member])} when not set, so the outputs are filled.`);
  return notes.length === 0 ? '' : ` ${notes.join(' ')}`;
}

/** The action's metadata as an object, in action.yml's order. */
export function actionMetadata(operations: readonly Operation[]): Record<string, unknown> {
  const inputs: Record<string, Entry> = {
    operation: {
      description: `Which step to run: ${operations.map((o) => `${o.name} (aws ${o.service})`).join(', ')}.`,
      required: false,
      default: DEFAULT_OPERATION,
    },
  };
  const parameterUses = new Map<string, { operation: string; text: string }[]>();
  for (const o of operations)
    for (const p of o.parameters)
      parameterUses.set(p.flag, [
        ...(parameterUses.get(p.flag) ?? []),
        { operation: o.name, text: `${p.help}${actionNotes(o, p.member)}` },
      ]);
  for (const [flag, uses] of parameterUses) inputs[flag] = { description: describe(uses), required: false };
  for (const input of COMMON_INPUTS)
    inputs[input.name] = {
      description: input.description,
      required: false,
      ...(input.default !== undefined && { default: input.default }),
    };

  const outputs: Record<string, Entry> = {
    changed: {
      description:
        "true when this step's requests changed the remote state (also when an answer was lost after the change was made); false when it already was as asked, and for reads.",
    },
    result: { description: 'The whole result as JSON.' },
  };
  const fieldUses = new Map<string, { operation: string; text: string }[]>();
  for (const o of operations)
    for (const f of o.fields)
      fieldUses.set(f.name, [...(fieldUses.get(f.name) ?? []), { operation: o.name, text: `${f.help}.` }]);
  for (const [name, uses] of fieldUses) outputs[name] = { description: describe(uses) };
  Object.assign(outputs, {
    'error-code': { description: `On failure: ${Object.values(StepErrorCode).join(', ')}.` },
    'error-message': { description: 'On failure, what went wrong and what to do.' },
    retryable: {
      description:
        'On failure, true when the same step may succeed if run again later (throttled, unavailable, network, timeout, unconfirmed), false when it will not until something changes.',
    },
  });

  return {
    name: 'AWS Job Steps',
    description:
      'Report work to AWS idempotently: find, start and report AWS IoT job executions from the device side, or update an AWS Import/Export job. Safe to re-run; tells you whether anything changed.',
    author: 'aws-job-steps',
    branding: { icon: 'check-square', color: 'orange' },
    inputs,
    outputs,
    runs: { using: 'node24', main: 'dist/index.js' },
  };
}

/** The header every generated action.yml starts with. */
export const ACTION_YML_HEADER =
  '# Generated from the operations in core/ and action/inputs.ts by `npm run generate`: edit those, not this file.\n';
