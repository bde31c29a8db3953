import { useEffect, useRef, useState, type KeyboardEvent } from 'react';

export interface TreeModel {
  /** Sub-folders of each listed prefix; absent until listed. */
  children: Record<string, string[]>;
  open: string[];
  selected: string;
}

interface Row {
  prefix: string;
  level: number;
  parent: string | null;
}

const leaf = (prefix: string) => prefix.split('/').filter(Boolean).pop() ?? prefix;

/** The rows a user can reach: the roots, and the children of every open folder, depth first. */
export function visibleRows(root: string, model: TreeModel): Row[] {
  const rows: Row[] = [];
  const walk = (prefix: string, level: number, parent: string | null) => {
    for (const c of model.children[prefix] ?? []) {
      rows.push({ prefix: c, level, parent });
      if (model.open.includes(c)) walk(c, level + 1, c);
    }
  };
  walk(root, 1, null);
  return rows;
}

/**
 * The lake's partition tree (date= → hour=), a WAI-ARIA tree: Up/Down move, Right opens or enters,
 * Left closes or goes to the parent, Home/End, Enter or Space selects and opens; one tab stop.
 */
export function PartitionTree({
  root,
  model,
  onToggle,
  onSelect,
}: {
  root: string;
  model: TreeModel;
  /** Open or close a folder (the caller lists its children when they are not known yet). */
  onToggle: (prefix: string, open: boolean) => void;
  onSelect: (prefix: string) => void;
}) {
  const rows = visibleRows(root, model);
  const [focus, setFocus] = useState<string | null>(null);
  const items = useRef(new Map<string, HTMLLIElement>());
  const moved = useRef(false);
  const current = rows.find((r) => r.prefix === focus) ?? rows.find((r) => r.prefix === model.selected) ?? rows[0];

  useEffect(() => {
    if (moved.current && focus) items.current.get(focus)?.focus();
    moved.current = false;
  }, [focus]);

  const move = (prefix: string | undefined) => {
    if (!prefix) return;
    moved.current = true;
    setFocus(prefix);
  };

  const onKey = (e: KeyboardEvent, row: Row) => {
    const i = rows.findIndex((r) => r.prefix === row.prefix);
    const kids = model.children[row.prefix];
    // A folder whose listing came back empty (hour=…, it holds files) is a leaf.
    const expandable = kids === undefined || kids.length > 0;
    const isOpen = expandable && model.open.includes(row.prefix);
    switch (e.key) {
      case 'ArrowDown':
        move(rows[i + 1]?.prefix);
        break;
      case 'ArrowUp':
        move(rows[i - 1]?.prefix);
        break;
      case 'Home':
        move(rows[0]?.prefix);
        break;
      case 'End':
        move(rows[rows.length - 1]?.prefix);
        break;
      case 'ArrowRight':
        if (!isOpen && expandable) onToggle(row.prefix, true);
        else if (kids?.length) move(kids[0]);
        break;
      case 'ArrowLeft':
        if (isOpen) onToggle(row.prefix, false);
        else move(row.parent ?? undefined);
        break;
      case 'Enter':
      case ' ':
        onSelect(row.prefix);
        onToggle(row.prefix, !isOpen);
        break;
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
  };

  const render = (prefix: string, level: number, parent: string | null) => {
    const kids = model.children[prefix];
    const expandable = kids === undefined || kids.length > 0;
    const isOpen = expandable && model.open.includes(prefix);
    const row = { prefix, level, parent };
    return (
      <li
        key={prefix}
        role="treeitem"
        aria-expanded={expandable ? isOpen : undefined}
        aria-selected={model.selected === prefix}
        aria-level={level}
        tabIndex={current?.prefix === prefix ? 0 : -1}
        ref={(el) => {
          if (el) items.current.set(prefix, el);
          else items.current.delete(prefix);
        }}
        onKeyDown={(e) => onKey(e, row)}
        onFocus={(e) => {
          if (e.target === e.currentTarget) setFocus(prefix);
        }}
      >
        <span
          className="tree-label"
          onClick={() => {
            move(prefix);
            onSelect(prefix);
            onToggle(prefix, !isOpen);
          }}
        >
          {expandable ? (isOpen ? '▾' : '▸') : '·'} {leaf(prefix)}
        </span>
        {isOpen && kids && kids.length > 0 && <ul role="group">{kids.map((c) => render(c, level + 1, prefix))}</ul>}
      </li>
    );
  };

  return (
    <ul role="tree" aria-label="Partitions" className="tree">
      {(model.children[root] ?? []).length === 0 && <li className="muted">no partitions yet</li>}
      {(model.children[root] ?? []).map((p) => render(p, 1, null))}
    </ul>
  );
}
