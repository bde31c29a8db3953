import type { EngineConfig } from '../config';
import { openDuck } from '../services/lake/duck';
import { openBroker, openLake } from '../services/open';
import type { TopicSearchResult } from '../topicsContract';
import { searchTransaction } from './transactionSearch';

export interface TransactionSearchApi {
  search(transactionId: string): Promise<TopicSearchResult>;
}

/** The 'topics' worker: searches by transaction id off the Host's thread (DuckDB over the lake, a scan of the log's tail). */
export async function openTransactionSearch(config: EngineConfig): Promise<TransactionSearchApi> {
  const deps = {
    broker: await openBroker(config),
    lake: await openLake(config),
    duck: await openDuck({ threads: 2 }),
    topic: config.topic,
  };
  return { search: (id: string) => searchTransaction(deps, id) };
}
