/** The core's parsers as predicates for property tests: the parsed request, or undefined when it is invalid. */
import { parseUpdateJobExecutionInput as parseExecution, parseUpdateJobInput, StepError } from '../../core/index';

function orUndefined<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (error instanceof StepError) return undefined;
    throw error;
  }
}

export const parseUpdateJobExecutionInput = (value: unknown): unknown => orUndefined(() => parseExecution(value));
export const parseUpdateJob = async (value: unknown): Promise<unknown> => {
  try {
    return await parseUpdateJobInput(value);
  } catch (error) {
    if (error instanceof StepError) return undefined;
    throw error;
  }
};
