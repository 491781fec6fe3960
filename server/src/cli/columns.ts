/** Rows as aligned text columns under a header, for the CLI's lists. */
export function formatColumns(header: string[], lines: string[][]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => [...(line[i] ?? '')].length)));
  return [header, ...lines]
    .map((line) =>
      line
        .map((cell, i) => cell + ' '.repeat((widths[i] as number) - [...cell].length))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
