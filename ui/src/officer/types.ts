// What the officer screens read: assessment's operator views and the release bridge's releases.

export type CertificateStatus = "not_yet_valid" | "valid" | "expired" | "revoked" | "superseded";

/** GET /v1/me (only the operator is needed here). */
export interface Me {
  staff_id: string;
  operator_id: string;
  name: string;
  roles: string[];
  jurisdictions: string[];
}

/** One staff member on one track: GET /v1/operators/{id}/staff. */
export interface StaffTrackRow {
  staff_id: string;
  name: string;
  jurisdiction: string;
  role: string;
  track_key: string;
  track_version: string;
  lessons_completed: number;
  lessons_total: number;
  modules_completed: number;
  modules_total: number;
  percent: number;
  certificate_id: string | null;
  certificate_status: CertificateStatus | null;
  expires_at: string | null;
  expiring_soon: boolean;
}

export interface StaffProgress {
  operator_id: string;
  rows: StaffTrackRow[];
}

export interface Holder {
  certificate_id: string;
  staff_id: string;
  staff_name: string;
  expires_at: string;
}

export interface Requirement {
  role: string;
  needed: number;
  have: number;
  missing: number;
  met: boolean;
  holders: Holder[];
}

export interface JurisdictionReadiness {
  jurisdiction: string;
  name: string | null;
  regulator: string | null;
  met: boolean;
  policy_published: boolean;
  tooling: string[];
  requirements: Requirement[];
  missing: string[];
}

/** GET /v1/operators/{id}/readiness. */
export interface Readiness {
  operator_id: string;
  checked_at: string;
  jurisdictions: JurisdictionReadiness[];
}

export interface HeldCertificate {
  certificate_id: string;
  staff_id: string;
  staff_name: string;
  jurisdiction: string;
  role: string;
  track_version: string;
  status: CertificateStatus;
  passed_at: string;
  expires_at: string;
}

/** GET /v1/operators/{id}/certificates/expiring. */
export interface HeldCertificates {
  operator_id: string;
  certificates: HeldCertificate[];
}

export type DeliveryState = "pending" | "retrying" | "held" | "parked" | "delivered";

export interface ReleaseDelivery {
  webhook_id: string;
  state: DeliveryState;
  attempts: number;
  next_attempt_at: string | null;
  acknowledged_at: string | null;
}

export interface ReleaseDecision {
  release_id: string;
  decided_at: string;
  how: "policy_met" | "manual_override" | null;
  override: { actor: string; reason: string } | null;
  tooling: string[];
  delivery: ReleaseDelivery;
}

export interface RevocationDecision {
  revocation_id: string;
  decided_at: string;
  cause: string | null;
  tooling: string[];
  delivery: ReleaseDelivery;
}

export interface JurisdictionRelease {
  jurisdiction: string;
  released: boolean;
  policy_met: boolean;
  release: ReleaseDecision | null;
  revocation: RevocationDecision | null;
}

/** The release bridge's GET /v1/operators/{id}/releases. */
export interface OperatorReleases {
  operator_id: string;
  checked_at: string;
  jurisdictions: JurisdictionRelease[];
}
