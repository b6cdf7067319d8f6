/**
 * What a node's status shows, by precedence: what it holds (messages queued, reports waiting) while it holds any,
 * else the last outcome (a result in a few words, an error code), with a note every outcome carries while it
 * applies (reports not kept across restarts).
 */
import { systemClock, type ClockTimer } from '../core/shared/clock';
import type { Backlog } from '../core/outbox/outbox';
import type { NodeStatus, RedNode } from './red';

export interface StatusBoard {
  /** The last outcome: shown at once unless the node holds something, and again when it holds nothing. */
  outcome(status: NodeStatus): void;
  /** What the node holds, shown over the outcome; undefined when it holds nothing. */
  hold(status: NodeStatus | undefined): void;
  /** Appended to every later outcome's text, for as long as the node runs. */
  noteOutcomes(note: string): void;
}

/** The status board of `node`. */
export function statusBoard(node: RedNode): StatusBoard {
  let outcome: NodeStatus = {};
  let holding: NodeStatus | undefined;
  let note = '';
  return {
    outcome(status) {
      outcome = note && status.text !== undefined ? { ...status, text: `${status.text}${note}` } : status;
      if (!holding) node.status(outcome);
    },
    hold(status) {
      holding = status;
      node.status(holding ?? outcome);
    },
    noteOutcomes(text) {
      note = text;
    },
  };
}

/** How long ago, in a status's few characters: `40s`, `12m`, `3h`, `2d`. */
export function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

export interface BacklogStatus {
  /** Shows `backlog` (how many wait, the oldest's age), or hands the status back to the outcome when none waits. */
  show(backlog: Backlog): void;
  /** Stops refreshing the age (the node closes). */
  stop(): void;
}

/**
 * A backlog on the status: `3 waiting, oldest 40s`. The age grows while nothing else changes, so it is shown again
 * every 10 s (from `current()`) while reports wait.
 */
export function backlogStatus(hold: StatusBoard['hold'], current: () => Backlog): BacklogStatus {
  let ticker: ClockTimer | undefined;
  const show = (backlog: Backlog): void => {
    if (backlog.count === 0) {
      systemClock.clearTimer(ticker);
      ticker = undefined;
      return hold(undefined);
    }
    const oldest =
      backlog.oldestAcceptedAt === undefined ? '' : `, oldest ${age(systemClock.now() - backlog.oldestAcceptedAt)}`;
    hold({ fill: 'blue', shape: 'ring', text: `${backlog.count} waiting${oldest}` });
    ticker ??= systemClock
      .setTimer(() => {
        ticker = undefined;
        show(current());
      }, 10_000)
      .unref();
  };
  // Stopped, the cleared timer stays set: a backlog shown while the outbox closes starts no new one.
  return { show, stop: () => systemClock.clearTimer(ticker) };
}
