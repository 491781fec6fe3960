/** A plain-text table for a terminal: columns as wide as their widest cell, two spaces apart. */
export function formatTable(header: string[], lines: string[][]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => [...(line[i] as string)].length)));
  return [header, ...lines]
    .map((line) =>
      line
        .map((cell, i) => cell + ' '.repeat((widths[i] as number) - [...cell].length))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
