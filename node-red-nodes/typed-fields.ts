/**
 * A node's TypedInputs: where each field of a message's request comes from (a msg property by default, or a flow,
 * global or env value, or a fixed one), read once when the node is made and evaluated for every message.
 */
import { StepError, StepErrorCode } from '../core/shared/errors';
import type { NodeConfig, NodeMessage, RedAPI, RedNode } from './red';

/** Where one field comes from: a TypedInput's type and value. */
export interface FieldSource {
  readonly field: string;
  readonly type: string;
  readonly value: string;
  /**
   * For a msg property, its path as Node-RED's own parser splits it, parsed once at deploy rather than for every
   * message; read below exactly as Node-RED's `getMessageProperty` reads it. Absent for paths that name other
   * message properties (`payload[msg.topic]`), which Node-RED evaluates per message.
   */
  readonly path?: readonly (string | number)[];
}

function messagePath(RED: RedAPI, expression: string): (string | number)[] | undefined {
  try {
    const parts = RED.util.normalisePropertyExpression(
      expression.startsWith('msg.') ? expression.slice(4) : expression,
    );
    return parts.every((p) => typeof p === 'string' || typeof p === 'number') ? parts : undefined;
  } catch {
    return undefined; // an invalid expression: Node-RED reports it for each message, as it does for its own nodes
  }
}

/**
 * The node's TypedInputs, read once when the node is made: an empty msg property means the AWS name under
 * `msg.payload`; an empty fixed value means "not given" (as an empty GitHub input does), so it is left out.
 */
export function fieldSources(RED: RedAPI, config: NodeConfig, fields: readonly string[]): FieldSource[] {
  return fields.flatMap((field) => {
    const type = typeof config[`${field}Type`] === 'string' ? (config[`${field}Type`] as string) : 'msg';
    let value = typeof config[field] === 'string' ? (config[field] as string) : '';
    if (type === 'msg' && value === '') value = `payload.${field}`;
    if (value === '') return [];
    const path = type === 'msg' ? messagePath(RED, value) : undefined;
    return [{ field, type, value, ...(path && { path }) }];
  });
}

/**
 * Evaluates every field for `msg` into `input` (empty values are left out). One promise per message, not per
 * field: most types answer at once, and a gateway pays for every allocation on every message.
 */
export function evaluateFields(
  RED: RedAPI,
  node: RedNode,
  sources: readonly FieldSource[],
  msg: NodeMessage,
  input: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let pending = sources.length;
    if (pending === 0) return resolve(input);
    let failed = false;
    const settle = (field: string, err: Error | null, result: unknown): void => {
      if (failed) return;
      if (err) {
        failed = true;
        return reject(new StepError(`${field}: ${err.message}`, { code: StepErrorCode.InvalidInput, field }));
      }
      if (result !== undefined && result !== null && result !== '') input[field] = result;
      if (--pending === 0) resolve(input);
    };
    for (const { field, type, value, path } of sources) {
      if (!path) {
        try {
          RED.util.evaluateNodeProperty(value, type, node, msg, (err, result) => settle(field, err, result));
        } catch (error) {
          settle(field, error instanceof Error ? error : new Error(String(error)), undefined);
        }
        continue;
      }
      let result: unknown;
      try {
        // As Node-RED's getObjectProperty: a missing parent throws (TypeError), a missing leaf is undefined.
        result = path.reduce<unknown>((parent, key) => (parent as Record<string | number, unknown>)[key], msg);
      } catch (error) {
        settle(field, error instanceof Error ? error : new Error(String(error)), undefined);
        continue;
      }
      settle(field, null, result);
    }
  });
}
