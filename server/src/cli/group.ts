/** Groups rows by their owner's id, keeping their order: items fetched for a page of users. */
export function groupByOwner<T extends { owner_id: string }>(rows: T[]): Map<string, Omit<T, 'owner_id'>[]> {
  const byOwner = new Map<string, Omit<T, 'owner_id'>[]>();
  for (const { owner_id, ...rest } of rows) {
    const list = byOwner.get(owner_id);
    if (list) list.push(rest);
    else byOwner.set(owner_id, [rest]);
  }
  return byOwner;
}
