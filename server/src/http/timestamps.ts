/**
 * Dates from clients, as the database can take them. JavaScript dates reach
 * year 275760 and PostgreSQL's text form needs four digits: a date outside years
 * 1–9999 (however it was written, offsets included) or one JavaScript cannot
 * represent (a leap second, `23:59:60`, passes the `date-time` format) would
 * fail in the query. Refused here, they are a 422 on their field instead.
 */
import { ValidationError } from '../errors.js';

export function isStorableDate(date: Date): boolean {
  if (Number.isNaN(date.getTime())) return false;
  const year = date.getUTCFullYear();
  return year >= 1 && year <= 9999;
}

/** The `date-time` query parameter `field` as a Date the database accepts, or a 422. */
export function queryTimestamp(text: string, field: string): Date {
  const date = new Date(text);
  if (!isStorableDate(date)) {
    throw new ValidationError([
      { loc: ['query', field], msg: 'Input should be a valid datetime between years 1 and 9999', type: 'datetime_parsing' },
    ]);
  }
  return date;
}
