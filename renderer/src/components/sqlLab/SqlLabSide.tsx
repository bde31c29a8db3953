import { useCtx, usePlace, useUi } from '../../context';
import { ErrorNote } from '../ErrorNote';
import { setSqlLab, type SqlLabSide as Side } from '../../store/sqlLabState';
import { QueryHistory } from './QueryHistory';
import { SavedQueries } from './SavedQueries';
import { SchemaBrowser } from './SchemaBrowser';

const TABS: [Side, string][] = [
  ['schema', 'Schema'],
  ['saved', 'Saved'],
  ['history', 'History'],
];

/** The SQL lab's side panel: the schema browser, saved queries and the history, one at a time. */
export function SqlLabSide({
  sql,
  open,
  insert,
}: {
  sql: string;
  open: (sql: string) => void;
  insert: (text: string) => void;
}) {
  const { ui } = useCtx();
  const side = useUi((s) => s.sqlLab.side);
  const history = useUi((s) => s.sqlLab.history);
  const saved = useUi((s) => s.sqlLab.saved);
  const lists = usePlace('sqlLab.lists');
  const count = (k: Side) =>
    k === 'saved' && saved
      ? ` (${saved.items.length})`
      : k === 'history' && history
        ? ` (${history.items.length})`
        : '';
  return (
    <aside className="lab-side" aria-label="SQL lab">
      <div role="tablist" className="tabs" aria-label="SQL lab panels">
        {TABS.map(([k, name]) => (
          <button key={k} role="tab" aria-selected={side === k} onClick={() => setSqlLab(ui, { side: k })}>
            {name}
            {count(k)}
          </button>
        ))}
      </div>
      <ErrorNote error={lists.error} />
      {side === 'schema' && <SchemaBrowser insert={insert} />}
      {side === 'saved' && <SavedQueries sql={sql} open={open} />}
      {side === 'history' && <QueryHistory open={open} />}
    </aside>
  );
}
