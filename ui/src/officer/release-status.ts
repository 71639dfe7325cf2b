// <academy-release-status>: per jurisdiction, whether the tooling is released, when and how
// (policy met or a manual override with its actor and reason), and where its delivery to the
// portal stands. Reads the release bridge (`release-api-base`).
import { html, nothing } from "lit";
import { Loader, define, empty } from "../element.js";
import { base } from "../styles.js";
import { DELIVERY_KEYS, releaseStateKey } from "./logic.js";
import { OperatorElement } from "./operator-element.js";
import { officer } from "./styles.js";
import type { JurisdictionRelease, OperatorReleases, ReleaseDelivery } from "./types.js";

export class AcademyReleaseStatus extends OperatorElement {
  static override styles = [base, officer];

  private readonly releases = new Loader<OperatorReleases>(this, async (signal) => {
    const path = await this.operatorPath(signal);
    return this.releaseApi.get<OperatorReleases>(`${path}/releases`, signal);
  });

  reload(): Promise<void> {
    return this.releases.run();
  }

  private renderDelivery(delivery: ReleaseDelivery) {
    const values = {
      attempts: delivery.attempts,
      next: this.formatDateTime(delivery.next_attempt_at),
      at: this.formatDateTime(delivery.acknowledged_at),
    };
    return html`<span class=${delivery.state === "delivered" ? "ok" : delivery.state === "pending" ? "" : "blocked"}>
      ${this.t(DELIVERY_KEYS[delivery.state], values)}
    </span>`;
  }

  private renderHow(item: JurisdictionRelease) {
    const release = item.release;
    if (!release) return this.t("officer.releases.never");
    if (release.how === "manual_override") {
      return html`${this.t("officer.releases.override")}
        ${release.override
          ? html`<br /><span class="meta">
                ${this.t("officer.releases.overrideBy", {
                  actor: release.override.actor,
                  reason: release.override.reason,
                })}
              </span>`
          : nothing}`;
    }
    if (release.how === "policy_met") return this.t("officer.releases.policyMet");
    return this.t("officer.releases.unknownHow");
  }

  /** Why tooling was revoked: a lapsed policy in words, any other cause as recorded. */
  causeText(cause: string): string {
    return cause.startsWith("policy_lapsed")
      ? this.t("officer.releases.lapsed")
      : this.t("officer.releases.cause", { cause });
  }

  private renderItem(item: JurisdictionRelease) {
    const release = item.release;
    const revocation = item.revocation;
    const state = this.t(releaseStateKey(item), {
      date: this.formatDateTime(item.released ? release?.decided_at : revocation?.decided_at),
    });
    const tooling = (revocation?.tooling.length ? revocation.tooling : release?.tooling) ?? [];
    return html`<tr>
      <th scope="row">${item.jurisdiction}</th>
      <td class=${item.released ? "ok" : ""}>
        ${state}
        ${revocation && !item.released && revocation.cause
          ? html`<br /><span class="meta">${this.causeText(revocation.cause)}</span>`
          : nothing}
      </td>
      <td>${this.renderHow(item)}</td>
      <td>${tooling.length ? tooling.join(", ") : this.t("officer.releases.noTooling")}</td>
      <td>
        ${release ? this.renderDelivery(release.delivery) : this.t("officer.releases.nothingSent")}
        ${revocation
          ? html`<br /><span class="meta">${this.t("officer.releases.revocationDelivery")}</span>
              ${this.renderDelivery(revocation.delivery)}`
          : nothing}
      </td>
    </tr>`;
  }

  override render() {
    const busy = this.releases.state.kind === "loading" || this.releases.state.kind === "idle";
    return html`<section aria-labelledby="heading" aria-busy=${busy ? "true" : "false"}>
      <h2 id="heading">${this.t("officer.releases.heading")}</h2>
      ${this.releases.render((found) =>
        found.jurisdictions.length === 0
          ? empty(this.t("officer.releases.empty"))
          : html`<div class="table-wrap">
              <table>
                <caption class="visually-hidden">${this.t("officer.releases.caption")}</caption>
                <thead>
                  <tr>
                    <th scope="col">${this.t("officer.releases.col.jurisdiction")}</th>
                    <th scope="col">${this.t("officer.releases.col.status")}</th>
                    <th scope="col">${this.t("officer.releases.col.how")}</th>
                    <th scope="col">${this.t("officer.releases.col.tooling")}</th>
                    <th scope="col">${this.t("officer.releases.col.delivery")}</th>
                  </tr>
                </thead>
                <tbody>
                  ${found.jurisdictions.map((item) => this.renderItem(item))}
                </tbody>
              </table>
            </div>`,
      )}
    </section>`;
  }
}

define("academy-release-status", AcademyReleaseStatus);

declare global {
  interface HTMLElementTagNameMap {
    "academy-release-status": AcademyReleaseStatus;
  }
}
