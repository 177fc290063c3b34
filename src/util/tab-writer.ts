/**
 * Go's text/tabwriter as kubeadm uses it (`tabwriter.NewWriter(out, minwidth, tabwidth, padding,
 * ' ', 0)`): tab-separated cells are aligned in columns of the widest cell plus `padding`, at least
 * `minWidth`; the last cell of a line is not padded. Pure.
 */
export function formatTable(
  rows: readonly (readonly string[])[],
  minWidth = 10,
  padding = 3,
): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      if (i === row.length - 1) return;
      widths[i] = Math.max(widths[i] ?? minWidth, cell.length + padding);
    });
  }
  return rows
    .map((row) =>
      row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join(''),
    )
    .map((line) => `${line}\n`)
    .join('');
}
