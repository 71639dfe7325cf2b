// Support's overrides on a staff member (assessment API): attempt reset, training waiver and
// certificate revocation, each a form with a reason and a confirmation; and the three together.
import { type TemplateResult, css, html } from "lit";
import { seg } from "../api.js";
import type { ConfirmOptions } from "../confirm.js";
import { AcademyElement, define } from "../element.js";
import { base } from "../styles.js";
import { type FieldSpec, SupportForm } from "./form.js";

interface AttemptsReset {
  operator_id: string;
  staff_id: string;
  track_key: string;
  actor: string;
  reset_at: string;
}

interface TrainingWaiver {
  operator_id: string;
  staff_id: string;
  track_key: string;
  track_version: string;
  modules_waived: string[];
  actor: string;
  waived_at: string;
}

interface RevokedCertificate {
  certificate_id: string;
  track_key: string;
  status: string;
  revoked_at: string | null;
  revoked_by: string;
}

const OPERATOR: FieldSpec = {
  name: "operator_id",
  kind: "operator",
  required: true,
  label: "support.field.operator",
  hint: "support.field.operatorHint",
};
const STAFF: FieldSpec = {
  name: "staff_id",
  kind: "staff",
  required: true,
  label: "support.field.staff",
  hint: "support.field.staffHint",
};
const TRACK: FieldSpec = {
  name: "track_key",
  kind: "track",
  required: true,
  label: "support.field.track",
  hint: "support.field.trackHint",
};
const REASON: FieldSpec = {
  name: "reason",
  kind: "reason",
  required: true,
  label: "support.field.reason",
  hint: "support.field.reasonHint",
  multiline: true,
};

/** The path of one staff member's track on the assessment support API. */
function staffTrack(values: Record<string, string>): string {
  const { operator_id = "", staff_id = "", track_key = "" } = values;
  return `/v1/support/operators/${seg(operator_id)}/staff/${seg(staff_id)}/tracks/${seg(track_key)}`;
}

export class AcademyAttemptReset extends SupportForm<AttemptsReset> {
  protected fields(): FieldSpec[] {
    return [OPERATOR, STAFF, TRACK, REASON];
  }
  protected readonly texts = "support.reset" as const;
  protected confirmation(values: Record<string, string>): ConfirmOptions {
    return {
      heading: this.t("support.reset.confirmHeading", { staff: values.staff_id ?? "" }),
      body: this.t("support.reset.confirmBody", {
        staff: values.staff_id ?? "",
        track: values.track_key ?? "",
        operator: values.operator_id ?? "",
      }),
      confirmLabel: this.t("support.reset.confirm"),
    };
  }
  protected send(values: Record<string, string>): Promise<AttemptsReset> {
    return this.api.post<AttemptsReset>(`${staffTrack(values)}/attempt-reset`, { reason: values.reason });
  }
  protected renderResult(result: AttemptsReset): TemplateResult {
    return html`<p class="ok">
        ${this.t("support.reset.done", {
          staff: result.staff_id,
          track: result.track_key,
          operator: result.operator_id,
          at: this.formatDateTime(result.reset_at),
        })}
      </p>
      <p>${this.t("support.form.recordedBy", { actor: result.actor })}</p>`;
  }
}

export class AcademyTrainingWaiver extends SupportForm<TrainingWaiver> {
  protected fields(): FieldSpec[] {
    return [OPERATOR, STAFF, TRACK, REASON];
  }
  protected readonly texts = "support.waiver" as const;
  protected confirmation(values: Record<string, string>): ConfirmOptions {
    return {
      heading: this.t("support.waiver.confirmHeading", { staff: values.staff_id ?? "" }),
      body: this.t("support.waiver.confirmBody", {
        staff: values.staff_id ?? "",
        track: values.track_key ?? "",
        operator: values.operator_id ?? "",
      }),
      confirmLabel: this.t("support.waiver.confirm"),
    };
  }
  protected send(values: Record<string, string>): Promise<TrainingWaiver> {
    return this.api.post<TrainingWaiver>(`${staffTrack(values)}/training-waiver`, { reason: values.reason });
  }
  protected renderResult(result: TrainingWaiver): TemplateResult {
    const modules = result.modules_waived;
    return html`<p class="ok">
        ${this.t("support.waiver.done", {
          staff: result.staff_id,
          track: result.track_key,
          version: result.track_version.slice(0, 12),
          at: this.formatDateTime(result.waived_at),
        })}
      </p>
      <p>
        ${modules.length
          ? this.t("support.waiver.modules", { modules: modules.join(", ") })
          : this.t("support.waiver.noModules")}
      </p>
      <p>${this.t("support.form.recordedBy", { actor: result.actor })}</p>`;
  }
}

export class AcademyCertificateRevocation extends SupportForm<RevokedCertificate> {
  protected fields(): FieldSpec[] {
    return [
      OPERATOR,
      {
        name: "certificate_id",
        kind: "record",
        required: true,
        label: "support.field.certificate",
        hint: "support.field.certificateHint",
      },
      REASON,
    ];
  }
  protected readonly texts = "support.revoke" as const;
  protected override submitClass(): string {
    return "danger";
  }
  protected confirmation(values: Record<string, string>): ConfirmOptions {
    return {
      heading: this.t("support.revoke.confirmHeading", { certificate: values.certificate_id ?? "" }),
      body: this.t("support.revoke.confirmBody", { operator: values.operator_id ?? "" }),
      confirmLabel: this.t("support.revoke.confirm"),
    };
  }
  protected send(values: Record<string, string>): Promise<RevokedCertificate> {
    const { operator_id = "", certificate_id = "" } = values;
    return this.api.post<RevokedCertificate>(
      `/v1/support/operators/${seg(operator_id)}/certificates/${seg(certificate_id)}/revocation`,
      { reason: values.reason },
    );
  }
  protected renderResult(result: RevokedCertificate): TemplateResult {
    return html`<p class="ok">
        ${this.t("support.revoke.done", {
          certificate: result.certificate_id,
          track: result.track_key,
          at: this.formatDateTime(result.revoked_at),
        })}
      </p>
      <p>${this.t("support.form.recordedBy", { actor: result.revoked_by })}</p>`;
  }
}

/** The three overrides on one staff member, placed together. */
export class AcademyStaffOverrides extends AcademyElement {
  static override styles = [
    base,
    css`
      :host {
        display: grid;
        gap: calc(2 * var(--academy-spacing, 0.75rem));
      }
    `,
  ];

  reload(): void {}

  override render() {
    return html`<academy-attempt-reset
        .apiBase=${this.apiBase}
        .releaseApiBase=${this.releaseApiBase}
        .tokenProvider=${this.tokenProvider}
      ></academy-attempt-reset>
      <academy-training-waiver
        .apiBase=${this.apiBase}
        .releaseApiBase=${this.releaseApiBase}
        .tokenProvider=${this.tokenProvider}
      ></academy-training-waiver>
      <academy-certificate-revocation
        .apiBase=${this.apiBase}
        .releaseApiBase=${this.releaseApiBase}
        .tokenProvider=${this.tokenProvider}
      ></academy-certificate-revocation>`;
  }
}

define("academy-attempt-reset", AcademyAttemptReset);
define("academy-training-waiver", AcademyTrainingWaiver);
define("academy-certificate-revocation", AcademyCertificateRevocation);
define("academy-staff-overrides", AcademyStaffOverrides);

declare global {
  interface HTMLElementTagNameMap {
    "academy-attempt-reset": AcademyAttemptReset;
    "academy-training-waiver": AcademyTrainingWaiver;
    "academy-certificate-revocation": AcademyCertificateRevocation;
    "academy-staff-overrides": AcademyStaffOverrides;
  }
}
