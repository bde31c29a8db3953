/** A long run's progress: a bar screen readers read as a percentage, with its label. */
export function ProgressBar({ label, percent }: { label: string; percent: number }) {
  const pct = Math.max(0, Math.min(100, Math.round(percent)));
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
      className="progress"
    >
      <div style={{ width: `${pct}%` }} />
    </div>
  );
}
