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
  // The server's clock may run a little ahead of this one: a message from "tomorrow" is today's.
  const days = daysAgo(date, now);
  if (days === 0) return "Today";
  if (days === 1) return "Yesterday";
  return date.getFullYear() === now.getFullYear() ? dayFormat.format(date) : yearDayFormat.format(date);
}

/** Whole calendar days from the day of `date` to today; 0 for today (and a clock slightly ahead). */
function daysAgo(date: Date, now: Date): number {
  return Math.max(0, Math.round((startOfDay(now) - startOfDay(date)) / DAY_MS));
}

/** A list preview's time: the hour today, "Yesterday", the date before. */
export function formatWhen(iso: string, now = new Date()): string {
  const date = new Date(iso);
  const days = daysAgo(date, now);
  return days === 0 ? timeFormat.format(date) : days === 1 ? "Yesterday" : shortDayFormat.format(date);
}

/** "last seen just now", "5 min ago", "3 h ago", "yesterday at 21:04", "on 12 Mar". */
export function formatLastSeen(iso: string, now = new Date()): string {
  const date = new Date(iso);
  const minutes = Math.floor((now.getTime() - date.getTime()) / 60_000);
  if (minutes < 1) return "last seen just now";
  if (minutes < 60) return `last seen ${minutes} min ago`;
  const days = daysAgo(date, now);
  if (days === 0) return `last seen ${Math.floor(minutes / 60)} h ago`;
  if (days === 1) return `last seen yesterday at ${timeFormat.format(date)}`;
  return `last seen on ${shortDayFormat.format(date)}`;
}

/** A wait in words for a person: "30 seconds", "1 minute", "10 minutes", "2 hours". */
export function formatWait(seconds: number): string {
  const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? "" : "s"}`;
  if (seconds < 60) return plural(Math.max(1, Math.ceil(seconds)), "second");
  if (seconds < 3600) return plural(Math.ceil(seconds / 60), "minute");
  return plural(Math.ceil(seconds / 3600), "hour");
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
