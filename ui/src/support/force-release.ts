// <academy-force-release>: unlock an operator's tooling in a jurisdiction by hand (release
// bridge), with a reason and a confirmation; shows the release and its delivery to the portal.
import { type TemplateResult, html, nothing } from "lit";
import { seg } from "../api.js";
import type { ConfirmOptions } from "../confirm.js";
import { Loader, define } from "../element.js";
import type { Refusal } from "./fields.js";
import { type FieldSpec, SupportForm, say } from "./form.js";
import { type DeliveryDetail, deliveryState, statusLabel } from "./model.js";

interface ForcedRelease {
  release_id: string;
  actor: string;
  outside_go_live: boolean;
}

export class AcademyForceRelease extends SupportForm<ForcedRelease> {
  static override properties = {
    ...SupportForm.properties,
    offerOutside: { state: true },
    outside: { state: true },
  };

  /** Shown once the bridge said the jurisdiction is outside the operator's go-live set. */
  protected offerOutside = false;
  protected outside = false;
  private releaseId = "";
  private readonly delivery = new Loader<DeliveryDetail>(this, (signal) =>
    this.releaseApi.get<DeliveryDetail>(`/v1/support/deliveries/${seg(this.releaseId)}`, signal),
  );

  protected fields(): FieldSpec[] {
    return [
      {
        name: "operator_id",
        kind: "operator",
        required: true,
        label: "support.field.operator",
        hint: "support.field.operatorHint",
      },
      {
        name: "jurisdiction",
        kind: "jurisdiction",
        required: true,
        label: "support.field.jurisdiction",
        hint: "support.field.jurisdictionHint",
      },
      {
        name: "reason",
        kind: "reason",
        required: true,
        label: "support.field.reason",
        hint: "support.field.reasonHint",
        multiline: true,
      },
    ];
  }
  protected readonly texts = "support.force" as const;

  protected confirmation(values: Record<string, string>): ConfirmOptions {
    const names = { operator: values.operator_id ?? "", jurisdiction: values.jurisdiction ?? "" };
    const body = this.t("support.force.confirmBody", names);
    return {
      heading: this.t("support.force.confirmHeading", names),
      body: this.outside ? `${body} ${this.t("support.force.confirmOutside", names)}` : body,
      confirmLabel: this.t("support.force.confirm"),
    };
  }

  protected async send(values: Record<string, string>): Promise<ForcedRelease> {
    const released = await this.releaseApi.post<ForcedRelease>("/v1/support/releases", {
      operator_id: values.operator_id,
      jurisdiction: values.jurisdiction,
      reason: values.reason,
      outside_go_live: this.outside,
    });
    this.releaseId = released.release_id;
    this.offerOutside = false;
    this.outside = false;
    void this.delivery.run();
    this.emit("academy-release-forced", { releaseId: released.release_id });
    return released;
  }

  protected override describeRefusal(refusal: Refusal): Refusal {
    const body = this.action.error?.body ?? {};
    if (body.reason === "outside_go_live") {
      const goLive = Array.isArray(body.go_live) ? body.go_live.join(", ") : "";
      this.offerOutside = true;
      const words = this.t("support.force.outsideGoLive", {
        operator: this.values.operator_id?.trim() ?? "",
        jurisdiction: this.values.jurisdiction?.trim() ?? "",
        goLive: goLive || this.t("support.force.noGoLive"),
      });
      return { ...refusal, fields: { ...refusal.fields, jurisdiction: words } };
    }
    return refusal;
  }

  protected override renderExtra(): TemplateResult | typeof nothing {
    if (!this.offerOutside && !this.outside) return nothing;
    return html`<div class="field">
      <label>
        <input
          type="checkbox"
          name="outside_go_live"
          .checked=${this.outside}
          @change=${(event: Event) => {
            this.outside = (event.target as HTMLInputElement).checked;
          }}
        />
        ${this.t("support.force.outsideLabel")}
      </label>
    </div>`;
  }

  private show(): void {
    this.emit("academy-delivery-selected", { webhookId: this.releaseId });
  }

  protected renderResult(result: ForcedRelease): TemplateResult {
    return html`<p class="ok">${this.t("support.force.done")}</p>
      <dl>
        <dt>${this.t("support.force.releaseId")}</dt>
        <dd>${result.release_id}</dd>
        <dt>${this.t("support.force.recordedAs")}</dt>
        <dd>${result.actor}</dd>
        <dt>${this.t("support.force.deliveryState")}</dt>
        <dd>
          ${this.delivery.render(
            (delivery) =>
              html`<strong>${say(this, statusLabel(delivery.status))}</strong>: ${say(this, deliveryState(delivery))}`,
          )}
        </dd>
      </dl>
      <div class="actions">
        <button type="button" class="secondary" @click=${this.show}>${this.t("support.force.showDelivery")}</button>
        <button type="button" class="secondary" @click=${() => void this.delivery.run()}>
          ${this.t("support.force.checkAgain")}
        </button>
      </div>`;
  }
}

define("academy-force-release", AcademyForceRelease);

declare global {
  interface HTMLElementTagNameMap {
    "academy-force-release": AcademyForceRelease;
  }
}
