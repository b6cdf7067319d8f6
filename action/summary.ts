/**
 * The job summary a step leaves on the workflow run page: what was asked, what the remote state is, whether this
 * step changed it, how many requests it took, and a link back to the run. Never the manifest or a credential.
 */
import type { StepError } from '../core/errors';
import type { UpdateJobResult } from '../core/update-job';
import type { UpdateJobExecutionResult } from '../core/update-job-execution';
import { Operation } from './inputs';

type ActionsCore = typeof import('@actions/core');

/** What was asked: the operation and the AWS request fields, as far as they could be read. */
export interface SummaryRequest {
  readonly operation: Operation;
  readonly input: Readonly<Record<string, unknown>>;
}

/** How a step ended, for the summary. */
export type SummaryOutcome =
  | { readonly request: SummaryRequest; readonly result: UpdateJobExecutionResult | UpdateJobResult }
  | { readonly request: SummaryRequest; readonly error: StepError | undefined; readonly message: string };

const text = (value: unknown): string => (value === undefined || value === null || value === '' ? '—' : String(value));

/** The rows of the summary table: label and value, values as plain text (the summary escapes nothing itself). */
export function summaryRows(outcome: SummaryOutcome): [string, string][] {
  const { request } = outcome;
  const input = request.input;
  const rows: [string, string][] =
    request.operation === Operation.UpdateJob
      ? [
          ['Job', text(input.JobId ?? input.jobId)],
          ['Job type', text(input.JobType ?? input.jobType)],
        ]
      : [
          ['Thing', text(input.thingName)],
          ['Job', text(input.jobId)],
          ['Requested status', text(input.status)],
        ];
  if ('error' in outcome) {
    rows.push(['Outcome', 'failed'], ['Error', text(outcome.error?.code ?? 'internal')], ['Message', outcome.message]);
    if (outcome.error) rows.push(['Attempts', String(outcome.error.attempts)]);
    return rows;
  }
  const { result } = outcome;
  if (request.operation === Operation.UpdateJob) {
    const r = result as UpdateJobResult;
    rows.push(['Success', String(r.success)], ['Warning', text(r.warningMessage)]);
  } else {
    const state = (result as UpdateJobExecutionResult).executionState;
    const after = state?.versionNumber;
    // A change moved the version on by one; without one, before and after are the same state.
    const before = after === undefined ? undefined : result.changed ? after - 1 : after;
    rows.push(
      ['Status', `${result.changed ? '(before not read) → ' : ''}${text(state?.status)}`],
      ['Version', after === undefined ? '—' : result.changed ? `${before} → ${after}` : String(after)],
    );
  }
  rows.push(
    ['Changed', String(result.changed)],
    ['Attempts', String(result.attempts)],
    ['Request id', text(result.requestId)],
  );
  return rows;
}

/** Writes the summary through `@actions/core`'s summary API, with a link to the workflow run. */
export async function writeSummary(core: ActionsCore, outcome: SummaryOutcome): Promise<void> {
  const { context } = await import('@actions/github');
  const failed = 'error' in outcome;
  const summary = core.summary
    .addHeading(`${failed ? '❌' : '✅'} aws-job-steps ${outcome.request.operation}`, 3)
    .addTable([
      [
        { data: 'Field', header: true },
        { data: 'Value', header: true },
      ],
      ...summaryRows(outcome).map(([label, value]) => [label, escapeHtml(value)]),
    ]);
  if (context.runId && context.repo.repo) {
    const url = `${context.serverUrl}/${context.repo.owner}/${context.repo.repo}/actions/runs/${context.runId}`;
    summary.addLink('Workflow run', url);
  }
  await summary.write();
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"]/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot' }[c]};`);
}
