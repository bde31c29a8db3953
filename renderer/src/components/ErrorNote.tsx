import { useCtx, useUi } from '../context';
import { clearError, pageErrors } from '../store/uiStore';

/** An error where it happened: beside the field, editor or control that caused it. */
export function ErrorNote({
  error,
  id,
  onDismiss,
}: {
  error?: { message: string } | null;
  id?: string;
  onDismiss?: () => void;
}) {
  if (!error) return null;
  return (
    <p className="error-note" role="alert" id={id}>
      {error.message}
      {onDismiss && (
        <button className="link" onClick={onDismiss} aria-label="Dismiss this error">
          ×
        </button>
      )}
    </p>
  );
}

/** A page's own error area: errors of calls made on this page, one per source, and only here. */
export function PageErrors({ page }: { page: string }) {
  const { ui } = useCtx();
  const all = useUi((s) => s.errors);
  const errors = pageErrors({ errors: all }, page);
  if (errors.length === 0) return null;
  return (
    <div className="page-errors" aria-label="Errors on this page">
      {errors.map(([place, e]) => (
        <ErrorNote key={place} error={e} onDismiss={() => clearError(ui, place)} />
      ))}
    </div>
  );
}
