/** Assertions shared by the step tests. */
import { StepError } from '../../core/index';

/** Awaits a step that must fail, and returns its StepError (failing the test if it succeeds or throws another). */
export async function expectStepError(promise: Promise<unknown>): Promise<StepError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a failure, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(StepError);
  return outcome.error as StepError;
}
