import { openDuck } from '../services/lake/duck';
import { openBroker, openLake } from '../services/open';
import type { RoleStarter } from '../workers/protocol';
import { searchTransaction } from './transactionSearch';

/** The 'topics' worker: searches by transaction id off the Host's thread (DuckDB over the lake, a scan of the log's tail). */
export const startTopics: RoleStarter<'topics'> = async ({ config }) => {
  const deps = {
    broker: await openBroker(config),
    lake: await openLake(config),
    duck: await openDuck({ threads: 2 }),
    topic: config.topic,
  };
  return { search: (id) => searchTransaction(deps, id) };
};
