/**
 * The step node: one node kind per operation of the core's registry (`aws-<operation>`), each AWS parameter a
 * TypedInput (by default `msg.payload.<awsName>`), a per-target queue or the durable outbox, the result and error
 * ports, `node.status`, and a clean close. It is assembled from the pieces another node kind can use too (answers,
 * status, the connection, the outbox); everything a step has of its own comes from the operation's definition.
 */
import type { OperationDefinition, StepResult } from '../core/shared/operation';
import { subjectKey } from '../core/shared/operation';
import { OutboxUnavailableError } from '../core/outbox/outbox-store';
import type { StepOptions } from '../core/shared/step-run';
import { filePolicy, type FilePolicyConfig } from './file-policy';
import { answerEveryInput, errorReport, nodeAnswers, type AnswersConfig, type NodeAnswers } from './node-answers';
import { whenClosed } from './node-kind';
import { answerControl, isControlMessage, keepReports, type OutboxNodeConfig } from './node-outbox';
import { statusBoard, type StatusBoard } from './node-status';
import type { Done, NodeMessage, RedAPI, RedNode, Send } from './red';
import { QueueFullError } from './refusals';
import { TargetQueue } from './target-queue';
import { evaluateFields, fieldSources } from './typed-fields';
import { useConnection } from './use-connection';

/** How long in-flight requests may finish after a redeploy or stop, before they are aborted. */
const CLOSE_GRACE_MS = 2000;

/** The node type of an operation. */
export function nodeType(operation: Pick<OperationDefinition, 'name'>): string {
  return `aws-${operation.name}`;
}

export interface StepNodeConfig extends AnswersConfig, FilePolicyConfig, OutboxNodeConfig {
  readonly connection?: string;
  readonly queueLimit?: string | number;
}

function positive(value: unknown, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** The bounded queue in memory of a node that keeps no reports: what it holds shows on the status. */
function queueInMemory(node: RedNode, config: StepNodeConfig, status: StatusBoard): TargetQueue {
  return new TargetQueue({
    concurrency: positive(config.concurrency, 4),
    limit: positive(config.queueLimit, 100),
    onChange: (held) => status.hold(held > 0 ? { fill: 'blue', shape: 'ring', text: `${held} queued` } : undefined),
    onTaskError: (error) => node.error(`internal error: ${errorReport(error, node).message}`),
  });
}

/** Queues one delivery behind earlier work for its target and answers it when it settles; refused when full. */
function deliverFromMemory<R>(
  queue: TargetQueue,
  target: string,
  deliver: (options: StepOptions) => Promise<R>,
  answers: NodeAnswers<R>,
  { msg, send, done }: { msg: NodeMessage; send: Send; done: Done },
): void {
  const accepted = queue.push(target, async (signal) => {
    try {
      const result = await deliver({ signal });
      answers.result(msg, result, send, done, result);
    } catch (error) {
      answers.fail(msg, send, done, error);
    }
  });
  if (!accepted) answers.fail(msg, send, done, new QueueFullError(queue.size));
}

/** Makes `node` a step node of `operation`: what Node-RED's constructor of its kind does after `createNode`. */
export function startStepNode<R extends StepResult>(
  RED: RedAPI,
  node: RedNode,
  config: StepNodeConfig,
  operation: OperationDefinition<R>,
): void {
  const status = statusBoard(node);
  const sources = fieldSources(
    RED,
    config,
    operation.parameters.map((p) => p.member),
  );
  const files = filePolicy(config);
  if (files.problem) {
    status.outcome({ fill: 'red', shape: 'ring', text: 'manifest directory' });
    node.error(`${files.problem}: file:// manifests in messages are refused until it is fixed`);
  }
  const answers = nodeAnswers(RED, node, config, status, operation.statusText);
  const use = useConnection(RED, config);
  /** One delivery of a request: the operation's step through the node's connection. */
  const deliver = (input: Record<string, unknown>, options: StepOptions): Promise<R> =>
    use((connection) =>
      operation.run(input, connection, {
        skipUnchanged: config.skipUnchanged === true,
        ...options,
        files: files.policy,
        logger: { debug: (message) => node.debug(message) },
      }),
    );

  // With the outbox, reports wait on disk and it orders and delivers them; without, a bounded queue in memory.
  const keeping = keepReports(RED, node, config, operation, {
    deliver,
    result: answers.result,
    fail: answers.fail,
    status,
  });
  const { outbox, refused } = keeping;
  const queue = outbox ? undefined : queueInMemory(node, config, status);

  answerEveryInput(node, answers, async (msg, send, done) => {
    if (isControlMessage(msg)) return answerControl(keeping, msg, send, done);
    if (refused) throw new OutboxUnavailableError(refused);
    // A field that cannot be evaluated rejects here; the input handler turns that into an error message.
    const input = await evaluateFields(RED, node, sources, msg, { ...operation.resultDefaults });
    if (outbox) {
      // Checked under the connection's readings before it is kept: a report its step would refuse is refused now.
      const readings = await use(async (connection) => connection.readings);
      return outbox.take(msg, input, send, done, readings);
    }
    deliverFromMemory(queue!, subjectKey(operation, input), (options) => deliver(input, options), answers, {
      msg,
      send,
      done,
    });
  });

  whenClosed(node, (removed) => (outbox ? outbox.close(CLOSE_GRACE_MS, removed) : queue!.close(CLOSE_GRACE_MS)));
}
