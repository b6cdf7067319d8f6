/**
 * A 200 that is no answer: AWS's front has been seen answering 200 with the envelope of an operation it did not run,
 * `{"Output":{"__type":"com.amazon.coral.service#UnknownOperationException","message":null},"Version":"1.0"}`
 * (aws/aws-sdk-js#2539). The SDK reads it as an empty output, which for most operations the step's own checks catch
 * (an update that shows no state). Where an empty output is itself a meaningful answer — `DescribeJobExecution` of
 * `$next` with nothing pending answers `{}` — the raw body is the only way to tell them apart, so this middleware
 * reads it and turns the envelope into a retryable `unconfirmed` error.
 */
import type { DeserializeMiddleware, HandlerExecutionContext, Pluggable } from '@smithy/types';

import { StepError, StepErrorCode, type StepOperation } from '../../shared/errors';

/** The body as bytes: the Node HTTP handler gives a stream; a body already read is kept as it is. */
async function bodyBytes(body: unknown): Promise<Uint8Array | undefined> {
  if (body instanceof Uint8Array) return body;
  if (body === null || typeof body !== 'object' || !(Symbol.asyncIterator in body)) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** The envelope's `__type`, when `bytes` are that envelope. */
function envelopeType(bytes: Uint8Array): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(bytes).toString('utf8')) as { Output?: { __type?: unknown } } | null;
    const type = parsed?.Output?.__type;
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A plugin for one command (`command.middlewareStack.use(...)`) that refuses a 200 whose body is the coral envelope.
 * It sits inside the deserializer, so it sees the raw response and hands the deserializer the same bytes.
 */
export function refuseCoralEnvelope<Input extends object, Output extends object>(
  operation: StepOperation,
  subject: string,
): Pluggable<Input, Output> {
  const middleware: DeserializeMiddleware<Input, Output> =
    (next, _context: HandlerExecutionContext) => async (args) => {
      const result = await next(args);
      const response = result.response as { statusCode?: number; body?: unknown; headers?: Record<string, string> };
      if (response.statusCode !== 200) return result;
      const bytes = await bodyBytes(response.body);
      if (bytes === undefined) return result;
      response.body = bytes;
      const type = envelopeType(bytes);
      if (type !== undefined)
        throw new StepError(
          `the service answered 200 with an envelope of ${type}, not an answer of ${operation}; nothing is known`,
          {
            code: StepErrorCode.Unconfirmed,
            operation,
            subject,
            requestId: response.headers?.['x-amzn-requestid'],
            retryable: true,
            delivery: 'answer-unknown',
          },
        );
      return result;
    };
  return {
    applyToStack: (stack) =>
      stack.add(middleware, { step: 'deserialize', priority: 'low', name: 'refuseCoralEnvelope' }),
  };
}
