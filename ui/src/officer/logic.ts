// The officer screens' logic as pure functions: who could meet a requirement, a staff member's
// standing in words (as a catalogue key), days left, grouping and filtering.
import type { MessageKey } from "../messages.js";
import type { DeliveryState, JurisdictionRelease, StaffTrackRow } from "./types.js";

const DAY_MS = 86_400_000;

/** A certificate that counts for a release policy now or on its start date. */
export function isCertified(row: StaffTrackRow): boolean {
  return row.certificate_status === "valid" || row.certificate_status === "not_yet_valid";
}

/**
 * Who could meet a requirement for `role` in `jurisdiction`: the staff on that track without a
 * certificate that counts, closest to passing first (training complete, then most lessons).
 */
export function candidatesFor(
  rows: readonly StaffTrackRow[],
  jurisdiction: string,
  role: string,
): StaffTrackRow[] {
  const trained = (row: StaffTrackRow) => row.lessons_total > 0 && row.lessons_completed >= row.lessons_total;
  return rows
    .filter((row) => row.jurisdiction === jurisdiction && row.role === role && !isCertified(row))
    .sort(
      (a, b) =>
        Number(trained(b)) - Number(trained(a)) ||
        b.percent - a.percent ||
        b.lessons_completed - a.lessons_completed ||
        a.name.localeCompare(b.name) ||
        a.staff_id.localeCompare(b.staff_id),
    );
}

/** Where a staff member stands on a track, as a catalogue key and its values. */
export interface Standing {
  key: MessageKey;
  values: Record<string, string | number>;
  /** An ISO date the screen formats into `values.date`. */
  date?: string;
}

export function standing(row: StaffTrackRow): Standing {
  const values = { name: row.name, done: row.lessons_completed, total: row.lessons_total };
  switch (row.certificate_status) {
    case "valid":
    case "not_yet_valid":
      return {
        key: row.expiring_soon ? "officer.standing.certifiedExpiring" : "officer.standing.certified",
        values,
        date: row.expires_at ?? undefined,
      };
    case "expired":
      return { key: "officer.standing.expired", values, date: row.expires_at ?? undefined };
    case "revoked":
      return { key: "officer.standing.revoked", values };
    default:
      break;
  }
  if (row.lessons_total > 0 && row.lessons_completed >= row.lessons_total) {
    return { key: "officer.standing.trained", values };
  }
  if (row.lessons_completed > 0) return { key: "officer.standing.inProgress", values };
  return { key: "officer.standing.notStarted", values };
}

/** Whole UTC days from `now` to `expiresAt` (0 on the expiry day, negative after it). */
export function daysLeft(expiresAt: string, now: Date): number {
  const end = new Date(expiresAt);
  const startDay = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const endDay = Date.UTC(end.getUTCFullYear(), end.getUTCMonth(), end.getUTCDate());
  return Math.round((endDay - startDay) / DAY_MS);
}

/** The message for a number of days left. */
export function daysLeftKey(days: number): MessageKey {
  if (days < 0) return "officer.expiring.expired";
  if (days === 0) return "officer.expiring.today";
  if (days === 1) return "officer.expiring.oneDay";
  return "officer.expiring.days";
}

/** The jurisdictions that occur in the rows, sorted (the filter's options). */
export function jurisdictionsIn(rows: readonly StaffTrackRow[]): string[] {
  return [...new Set(rows.map((row) => row.jurisdiction))].sort();
}

export interface TrackGroup {
  trackKey: string;
  jurisdiction: string;
  role: string;
  rows: StaffTrackRow[];
}

/** Rows of one jurisdiction ("" = all), grouped per track in track-key order. */
export function byTrack(rows: readonly StaffTrackRow[], jurisdiction = ""): TrackGroup[] {
  const groups = new Map<string, TrackGroup>();
  for (const row of rows) {
    if (jurisdiction && row.jurisdiction !== jurisdiction) continue;
    const group = groups.get(row.track_key) ?? {
      trackKey: row.track_key,
      jurisdiction: row.jurisdiction,
      role: row.role,
      rows: [],
    };
    group.rows.push(row);
    groups.set(row.track_key, group);
  }
  return [...groups.values()].sort((a, b) => a.trackKey.localeCompare(b.trackKey));
}

/** "compliance_officer" as words when the catalogue has no name for the role. */
export function roleWords(role: string): string {
  return role.replace(/_/g, " ");
}

export const DELIVERY_KEYS: Record<DeliveryState, MessageKey> = {
  delivered: "officer.delivery.delivered",
  pending: "officer.delivery.pending",
  retrying: "officer.delivery.retrying",
  held: "officer.delivery.held",
  parked: "officer.delivery.parked",
};

/** What the release status column says: released (how), revoked, or not released. */
export function releaseStateKey(item: JurisdictionRelease): MessageKey {
  if (item.released) return "officer.releases.released";
  if (item.revocation) return "officer.releases.revoked";
  return "officer.releases.notReleased";
}
