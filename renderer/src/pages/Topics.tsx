import { HandWritten } from './topics/HandWritten';
import { LagView } from './topics/LagView';
import { LiveTail } from './topics/LiveTail';
import { TopicBrowser } from './topics/TopicBrowser';
import { TransactionSearch } from './topics/TransactionSearch';
import './topics/topics.css';

/**
 * The sales topic as an operator looks at it: messages by partition and offset or by time, a search
 * by transaction id, a live tail, a message sent by hand, and lag per partition and member. Nothing
 * here joins a consumer group: the stream's group never notices the page.
 */
export function Topics() {
  return (
    <div className="page topics">
      <h2>Topics</h2>
      <h3>Messages</h3>
      <TopicBrowser />
      <h3>Find a transaction</h3>
      <TransactionSearch />
      <h3>Live tail</h3>
      <LiveTail />
      <h3>Send a message by hand</h3>
      <HandWritten />
      <h3>Lag per partition</h3>
      <LagView />
    </div>
  );
}
