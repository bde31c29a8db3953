import { DashboardTile } from '../components/dashboard/DashboardTile';
import { ErrorNote } from '../components/ErrorNote';
import { useSqlLabLists } from '../components/sqlLab/useSqlLabLists';
import { usePlace, useTimeFormat, useUi } from '../context';

const PINS = ['pins'] as const;

/**
 * Charts pinned from the Warehouse page's SQL lab, kept by the Host across restarts. Each tile
 * runs its query again on its own interval while this page is shown, and says when it last did.
 */
export function Dashboard() {
  useSqlLabLists(PINS);
  const pins = useUi((s) => s.dashboard.pins);
  const lists = usePlace('sqlLab.lists');
  const time = useTimeFormat();
  return (
    <div className="page">
      <h2>Dashboard</h2>
      <p className="muted">
        Charts pinned from the Warehouse page. Each runs its query again on its interval while this page is open; times
        in {time.label}.
      </p>
      <ErrorNote error={lists.error} />
      {pins?.problem && <ErrorNote error={{ message: pins.problem }} />}
      {pins && pins.items.length === 0 && (
        <p>
          Nothing pinned yet: run a query on the <a href="#/warehouse">Warehouse</a> page, then "Pin to Dashboard" under
          its chart.
        </p>
      )}
      <div className="dashboard-grid">
        {pins?.items.map((p) => (
          <DashboardTile key={p.id} pin={p} />
        ))}
      </div>
    </div>
  );
}
