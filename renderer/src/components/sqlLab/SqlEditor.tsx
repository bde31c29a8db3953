import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { useEffect, useLayoutEffect, useRef } from 'react';
import type { WarehouseSchema } from '../../../../engine/contract';
import { compartments, contentAttributes, editorExtensions, sqlLanguage, type EditorHooks } from './editorSetup';

export interface SqlEditorProps {
  value: string;
  onChange: (text: string) => void;
  /** Ctrl+Enter (Cmd+Enter). */
  onRun: () => void;
  schema: WarehouseSchema | null;
  label: string;
  invalid?: boolean;
  describedBy?: string;
  /** Receives the view, for inserting text at the cursor (the schema browser) and focusing. */
  viewRef?: (view: EditorView | null) => void;
}

/** The SQL editor: CodeMirror 6 kept in step with the store's text, completing the reader's schema. */
export default function SqlEditor({
  value,
  onChange,
  onRun,
  schema,
  label,
  invalid = false,
  describedBy,
  viewRef,
}: SqlEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const hooks = useRef<EditorHooks>({ onChange, onRun });
  useLayoutEffect(() => {
    hooks.current = { onChange, onRun };
  });

  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: editorExtensions(
          () => hooks.current,
          sqlLanguage(schema),
          contentAttributes(label, invalid, describedBy),
        ),
      }),
    });
    view.current = v;
    viewRef?.(v);
    return () => {
      viewRef?.(null);
      view.current = null;
      v.destroy();
    };
    // The editor is made once; the effects below carry value, schema and attributes into it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // The store's text changed from outside (a preset, a saved query, history): the editor follows.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value)
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({ effects: compartments.language.reconfigure(sqlLanguage(schema)) });
  }, [schema]);

  useEffect(() => {
    view.current?.dispatch({
      effects: compartments.attributes.reconfigure(contentAttributes(label, invalid, describedBy)),
    });
  }, [label, invalid, describedBy]);

  return <div className="sql-editor" ref={host} />;
}
