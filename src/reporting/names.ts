/** Display names in report rows (rows carry ids and human names so renders read well). */

/** "First Last" of a resource; "Unassigned" without an id; "#id" when the resource has no name in the store. */
export function personName(id: number | null, first: string | null | undefined, last: string | null | undefined): string {
  if (id === null) return 'Unassigned';
  const name = [first, last].filter((s) => s && s.trim()).map((s) => s!.trim()).join(' ');
  return name || `#${id}`;
}

/** Company name; null without a company; "#id" when the company is not in the store. */
export function companyName(id: number | null, name: string | null): string | null {
  if (id === null) return null;
  return name ?? `#${id}`;
}
