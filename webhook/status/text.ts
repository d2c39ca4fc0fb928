// Small text helpers for fixed-width output (table, YAML comments).

/** Cuts text to `width` characters, ending in "…" when cut. */
export function fit(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

export function pad(text: string, width: number): string {
  return fit(text, width).padEnd(width);
}

/** Word-wraps `text` to `width` columns; the first line starts with `first`, the rest with `rest`. */
export function wrap(text: string, width: number, first = '', rest = first): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = rest;
      empty = true;
    }
    if (empty && line.length + word.length > width) {
      // A word longer than the line: hard-cut it.
      let w = word;
      while (line.length + w.length > width) {
        const room = Math.max(1, width - line.length);
        lines.push(line + w.slice(0, room));
        line = rest;
        w = w.slice(room);
      }
      line += w;
    } else {
      line += empty ? word : ` ${word}`;
    }
    empty = false;
  }
  if (!empty || lines.length === 0) lines.push(line);
  return lines;
}
