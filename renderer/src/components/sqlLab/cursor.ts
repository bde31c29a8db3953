import type { EditorView } from '@codemirror/view';

/** Puts text at the cursor (replacing a selection) and gives the editor the focus. */
export function insertAtCursor(view: EditorView | null, text: string): void {
  if (!view) return;
  const { from, to } = view.state.selection.main;
  view.dispatch({ changes: { from, to, insert: text }, selection: { anchor: from + text.length } });
  view.focus();
}
