import { lazy, Suspense } from 'react';
import type { SqlEditorProps } from './SqlEditor';

/** CodeMirror is loaded with the Warehouse page, not with the app's first paint. */
const Editor = lazy(() => import('./SqlEditor'));

export function SqlEditor(props: SqlEditorProps) {
  return (
    <Suspense fallback={<div className="sql-editor sql-editor-loading" aria-busy="true" />}>
      <Editor {...props} />
    </Suspense>
  );
}
