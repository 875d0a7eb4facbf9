const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric", month: "long" });
const yearDayFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "long", year: "numeric" });
const shortDayFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });

const DAY_MS = 86_400_000;

function startOfDay(date: Date): number {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
}

export function formatTime(iso: string): string {
  return timeFormat.format(new Date(iso));
}

/** The label of a day separator: Today, Yesterday, or the date. */
export function formatDay(iso: string, now = new Date()): string {
  const date = new Date(iso);
  const days = Math.round((startOfDay(now) - startOfDay(date)) / DAY_MS);
  // The server's clock may run a little ahead of this one: a message from "tomorrow" is today's.
  if (days <= 0) return "Today";
  if (days === 1) return "Yesterday";
  return date.getFullYear() === now.getFullYear() ? dayFormat.format(date) : yearDayFormat.format(date);
}

/** A list preview's time: the hour today, the date before. */
export function formatWhen(iso: string, now = new Date()): string {
  const date = new Date(iso);
  return startOfDay(date) === startOfDay(now) ? timeFormat.format(date) : shortDayFormat.format(date);
}

/** "2 d 3 h left", "5 h 12 min left", "12 min left", "under a minute left", "Account expired". */
export function formatTimeLeft(ms: number): string {
  if (ms <= 0) return "Account expired";
  const minutes = Math.floor(ms / 60_000);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  if (days > 0) return `${days} d ${hours % 24} h left`;
  if (hours > 0) return `${hours} h ${minutes % 60} min left`;
  if (minutes > 0) return `${minutes} min left`;
  return "under a minute left";
}
