// The officer screens, re-exported by ../index.ts (each module defines its custom elements).
export { AcademyExpiringCertificates } from "./expiring-certificates.js";
export {
  byTrack,
  candidatesFor,
  daysLeft,
  isCertified,
  jurisdictionsIn,
  standing,
} from "./logic.js";
export { AcademyOperatorOverview } from "./operator-overview.js";
export { OperatorElement } from "./operator-element.js";
export { AcademyReadiness } from "./readiness.js";
export { AcademyReleaseStatus } from "./release-status.js";
export { AcademyTeamProgress } from "./team-progress.js";
export type {
  JurisdictionReadiness,
  JurisdictionRelease,
  OperatorReleases,
  Readiness,
  StaffTrackRow,
} from "./types.js";
