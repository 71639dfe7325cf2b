// The exam's time logic as pure functions: the countdown, its sparse announcements, cooldowns.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Milliseconds left before `deadline` as the server counts them: the browser's clock corrected
 * by `offsetMs` (server minus browser, measured when the attempt started), never below zero and
 * never above the time limit (a browser clock far behind cannot show more time than allowed).
 */
export function remainingMs(
  deadline: string,
  browserNowMs: number,
  offsetMs: number,
  limitMinutes: number,
): number {
  const left = Date.parse(deadline) - (browserNowMs + offsetMs);
  if (Number.isNaN(left)) return 0;
  return Math.max(0, Math.min(left, limitMinutes * MINUTE));
}

/** "29:41", or "1:02:03" from an hour up; a part-second counts as a whole one until zero. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / SECOND));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  return hours > 0 ? `${hours}:${two(minutes)}:${two(seconds)}` : `${two(minutes)}:${two(seconds)}`;
}

/** The moments worth announcing to a screen reader (minutes left); 0 is "time is up". */
export const ANNOUNCED_MINUTES = [10, 5, 1, 0] as const;
export type AnnouncedMinutes = (typeof ANNOUNCED_MINUTES)[number];

/**
 * The announcement due when the countdown moved from `beforeMs` to `nowMs`: the smallest
 * threshold crossed, or null. Crossing none (or starting below one) announces nothing.
 */
export function announcementDue(beforeMs: number, nowMs: number): AnnouncedMinutes | null {
  const crossed = ANNOUNCED_MINUTES.filter((m) => beforeMs > m * MINUTE && nowMs <= m * MINUTE);
  return crossed.length ? crossed[crossed.length - 1]! : null;
}

/** When a failed attempt's cooldown ends: its end plus the policy's cooldown hours (ISO). */
export function cooldownEndsAt(endedAt: string, cooldownHours: number): string {
  return new Date(Date.parse(endedAt) + cooldownHours * HOUR).toISOString();
}

/** The server's clock minus the browser's, from an attempt that the server just started. */
export function clockOffset(startedAt: string, browserNowMs: number): number {
  const started = Date.parse(startedAt);
  return Number.isNaN(started) ? 0 : started - browserNowMs;
}
