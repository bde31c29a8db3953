import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
  type Completion,
} from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { PostgreSQL, sql, type SQLNamespace } from '@codemirror/lang-sql';
import { bracketMatching, HighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { Compartment, Prec, type Extension } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
  placeholder,
} from '@codemirror/view';
import { tags as t } from '@lezer/highlight';
import type { WarehouseSchema } from '../../../../engine/contract';
import { columnCompletions } from './columnCompletion';

/*
 * CodeMirror 6 for the Warehouse SQL: PostgreSQL's highlighting, completion of the tables and
 * columns the reader may read (warehouse.schema), Ctrl+Enter (Cmd+Enter on a Mac) to run.
 * Colours come from the page's CSS variables, so the editor follows the light and dark themes.
 * CodeMirror (style-mod) writes its styles into one <style> element of the document (constructed
 * style sheets only inside a shadow root): the CSP's style-src 'unsafe-inline', there since the
 * shell's start for echarts' tooltip markup, allows it; script-src stays 'self'. Tab is left to move the focus
 * (no keyboard trap); Ctrl+Space opens the completions, Enter takes one.
 */

/** The schema as lang-sql completes it: `fact_sales` (the default schema) and `public.fact_sales`, columns with their type. */
export function completionSchema(schema: WarehouseSchema | null): SQLNamespace {
  const bySchema: Record<string, Record<string, Completion[]>> = {};
  for (const table of schema?.tables ?? []) {
    bySchema[table.schema] ??= {};
    bySchema[table.schema][table.name] = table.columns.map((c) => ({
      label: c.name,
      type: 'property',
      detail: c.type,
    }));
  }
  return bySchema;
}

export function sqlLanguage(schema: WarehouseSchema | null): Extension {
  return [
    sql({ dialect: PostgreSQL, schema: completionSchema(schema), defaultSchema: 'public' }),
    PostgreSQL.language.data.of({ autocomplete: columnCompletions(schema) }),
  ];
}

const highlight = HighlightStyle.define([
  { tag: [t.keyword, t.operatorKeyword], color: 'var(--sql-keyword)', fontWeight: '600' },
  { tag: t.string, color: 'var(--sql-string)' },
  { tag: t.special(t.string), color: 'var(--sql-name)' },
  { tag: [t.number, t.bool, t.null], color: 'var(--sql-number)' },
  { tag: [t.lineComment, t.blockComment], color: 'var(--muted)', fontStyle: 'italic' },
  { tag: [t.typeName, t.standard(t.name)], color: 'var(--sql-type)' },
  { tag: t.special(t.name), color: 'var(--sql-name)' },
  { tag: [t.operator, t.punctuation], color: 'var(--muted)' },
]);

const theme = EditorView.theme({
  '&': {
    backgroundColor: 'var(--panel)',
    color: 'var(--text)',
    border: '1px solid var(--border)',
    borderRadius: '6px',
    fontSize: '13px',
  },
  '&.cm-focused': { outline: '2px solid var(--focus)', outlineOffset: '2px' },
  '.cm-scroller': {
    fontFamily: "ui-monospace, 'SFMono-Regular', Menlo, monospace",
    minHeight: '9em',
    maxHeight: '24em',
  },
  '.cm-content': { caretColor: 'var(--text)' },
  '.cm-cursor': { borderLeftColor: 'var(--text)' },
  '.cm-gutters': {
    backgroundColor: 'var(--panel-2)',
    color: 'var(--muted)',
    border: 'none',
    borderRadius: '6px 0 0 6px',
  },
  '.cm-activeLine, .cm-activeLineGutter': { backgroundColor: 'color-mix(in srgb, var(--accent) 8%, transparent)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': {
    backgroundColor: 'color-mix(in srgb, var(--accent) 30%, transparent) !important',
  },
  '.cm-placeholder': { color: 'var(--muted)' },
  '.cm-tooltip': { backgroundColor: 'var(--panel-2)', color: 'var(--text)', border: '1px solid var(--border)' },
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': {
    backgroundColor: 'color-mix(in srgb, var(--accent) 35%, var(--panel-2))',
    color: 'var(--text)',
  },
  '.cm-completionDetail': { color: 'var(--muted)', fontStyle: 'normal', marginLeft: '1em' },
  '.cm-matchingBracket': { backgroundColor: 'color-mix(in srgb, var(--accent) 25%, transparent)' },
});

export interface EditorHooks {
  onChange: (text: string) => void;
  onRun: () => void;
}

export const compartments = { language: new Compartment(), attributes: new Compartment() };

/** The editor's accessible name and state on its text area (a contenteditable with role textbox). */
export function contentAttributes(label: string, invalid: boolean, describedBy?: string): Extension {
  return EditorView.contentAttributes.of({
    'aria-label': label,
    ...(invalid ? { 'aria-invalid': 'true' } : {}),
    ...(describedBy ? { 'aria-describedby': describedBy } : {}),
  });
}

export function editorExtensions(hooks: () => EditorHooks, language: Extension, attributes: Extension): Extension[] {
  const run = () => {
    hooks().onRun();
    return true;
  };
  return [
    Prec.highest(
      keymap.of([
        { key: 'Mod-Enter', run, preventDefault: true },
        { key: 'Ctrl-Enter', run, preventDefault: true },
      ]),
    ),
    lineNumbers(),
    highlightActiveLineGutter(),
    history(),
    drawSelection(),
    indentOnInput(),
    bracketMatching(),
    closeBrackets(),
    autocompletion({ icons: false }),
    highlightActiveLine(),
    syntaxHighlighting(highlight),
    placeholder('SELECT … (Ctrl+Enter runs; Ctrl+Space completes tables and columns)'),
    keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap]),
    EditorView.lineWrapping,
    theme,
    compartments.language.of(language),
    compartments.attributes.of(attributes),
    EditorView.updateListener.of((u) => {
      if (u.docChanged) hooks().onChange(u.state.doc.toString());
    }),
  ];
}
