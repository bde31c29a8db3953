import type {
  ErrorInfo,
  ProducedMessage,
  TopicLag,
  TopicMessage,
  TopicPage,
  TopicSearchResult,
} from '../../../engine/contract';
import type { UiStore } from './uiStore';

export type StartAt = 'newest' | 'offset' | 'time';

/** The Topics page's state, kept in the store so the page, a search and the tail survive navigation. */
export interface TopicsPageState {
  /** null: every partition, merged by time. */
  partition: number | null;
  startAt: StartAt;
  /** What the user typed: an offset, a time (datetime-local, in the app's zone). */
  offset: string;
  time: string;
  page: TopicPage | null;
  /** The partition the page shown was read from (null: all), whatever the select says since. */
  shown: number | null;
  /** Messages opened to show their whole value ("partition:offset"). */
  open: string[];
  search: string;
  found: TopicSearchResult | null;
  searching: boolean;
  /** The tail as the Host follows it (partition: the one it follows, null for all). */
  tail: {
    messages: TopicMessage[];
    skipped: number;
    error: ErrorInfo | null;
    following: boolean;
    partition: number | null;
  };
  /** The tail's own partition choice (null: every partition), apart from the browser's. */
  tailPick: number | null;
  draft: { key: string; value: string };
  sent: ProducedMessage | null;
  /** The group whose lag is shown: '' for the stream's. */
  group: string;
  lag: TopicLag | null;
}

/** Tail messages kept on screen. */
export const TAIL_KEPT = 200;

export function initialTopics(): TopicsPageState {
  return {
    partition: null,
    startAt: 'newest',
    offset: '0',
    time: '',
    page: null,
    shown: null,
    open: [],
    search: '',
    found: null,
    searching: false,
    tail: { messages: [], skipped: 0, error: null, following: false, partition: null },
    tailPick: null,
    draft: { key: '', value: '' },
    sent: null,
    group: '',
    lag: null,
  };
}

export function setTopics(ui: UiStore, patch: Partial<TopicsPageState>): void {
  ui.setState((s) => ({ topics: { ...s.topics, ...patch } }));
}

export const messageId = (m: { partition: number; offset: number }) => `${m.partition}:${m.offset}`;

/** A lag event's newest sample joins the history the page holds (the same group only; an hour kept). */
export function withSample(current: TopicLag | null, next: TopicLag, keep = 720): TopicLag {
  if (!current || current.group !== next.group || current.topic !== next.topic) return next;
  const seen = new Set(current.samples.map((s) => s.at));
  const samples = [...current.samples, ...next.samples.filter((s) => !seen.has(s.at))].slice(-keep);
  return { ...next, samples };
}
