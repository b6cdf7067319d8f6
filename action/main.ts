/**
 * The GitHub Action: reads every input up front, runs one core step, publishes the outputs and a job summary,
 * and turns any failure into `setFailed` with outputs a `continue-on-error` workflow can branch on.
 * No AWS logic here; the runner is spoken to through `./runner`. Each operation's step is loaded only when chosen.
 */
import { describeFailure, StepError, StepErrorCode } from '../core/shared/errors';
import type { StepResult } from '../core/shared/operation';
import { chosenOperation, inputForField, readActionRequest, type ActionOperation, type ActionRequest } from './inputs';
import * as runner from './runner';
import { writeSummary, type SummaryOutcome } from './summary';

/** The outputs of a finished step, by output name: `changed`, `result`, and the operation's result fields. */
export function stepOutputs(operation: ActionOperation, result: StepResult): Record<string, string> {
  return {
    changed: String(result.changed),
    result: JSON.stringify(result),
    ...Object.fromEntries(operation.fields.map((field) => [field.name, field.value(result)])),
  };
}

/** A core input error, told in the workflow's terms: the input's name first. */
function inWorkflowTerms(error: unknown, operation: ActionOperation | undefined): unknown {
  if (!(error instanceof StepError) || error.code !== 'invalid-input' || !operation) return error;
  const input = inputForField(operation, error.field);
  if (!input || input === error.field) return error;
  return new StepError(`input ${input}: ${error.message}`, { ...error, field: input, cause: error });
}

/** The operation the workflow asked for, as far as it can be told (for messages and the summary). */
function askedOperation(): ActionOperation | undefined {
  try {
    return chosenOperation(runner.getInput);
  } catch {
    return undefined;
  }
}

/** The action's entry point; never throws: failures go to `setFailed`. */
export async function run(): Promise<void> {
  let outcome: SummaryOutcome;
  let request: ActionRequest | undefined;
  try {
    request = await readActionRequest(runner.getInput, process.env);
    for (const secret of request.secrets) runner.setSecret(secret);
    runner.debug(`operation ${request.operation.name}; fields ${Object.keys(request.input).sort().join(', ')}`);
    const result = await request.operation.run(request.input, request.connection, {
      skipUnchanged: request.skipUnchanged,
      logger: { debug: (message) => runner.debug(message) },
    });
    for (const [name, value] of Object.entries(stepOutputs(request.operation, result))) runner.setOutput(name, value);
    outcome = { request, result };
  } catch (caught) {
    const operation = request?.operation ?? askedOperation();
    const error = inWorkflowTerms(caught, operation);
    const step = error instanceof StepError ? error : undefined;
    const message = step
      ? `${describeFailure(step)}${step.requestId ? ` (request id ${step.requestId})` : ''}`
      : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
    runner.setOutput('error-code', step?.code ?? StepErrorCode.Internal);
    runner.setOutput('error-message', message);
    runner.setOutput('retryable', String(step?.retryable ?? false));
    runner.setFailed(message);
    outcome = { request: request ?? { operation, input: {} }, error: step, message };
  }
  // Read again rather than from the request, so a failure to read the inputs is summarised too.
  if (runner.getInput('summary').toLowerCase() !== 'false') {
    try {
      writeSummary(outcome);
    } catch (error) {
      // The summary is a courtesy: a runner without GITHUB_STEP_SUMMARY must not fail a step that worked.
      runner.debug(`job summary not written: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
