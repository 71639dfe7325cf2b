// <academy-operator-overview>: the portal tab for compliance officers and operator admins: the
// readiness, release status, certificates expiring soon and team progress, for one operator
// (resolved once here, so the four screens do not each ask whose operator it is).
import { css, html } from "lit";
import { type AcademyElement, Loader, define } from "../element.js";
import { base } from "../styles.js";
import "./expiring-certificates.js";
import { DEFAULT_DAYS } from "./expiring-certificates.js";
import { OperatorElement } from "./operator-element.js";
import "./readiness.js";
import "./release-status.js";
import "./team-progress.js";
import type { Me } from "./types.js";

export class AcademyOperatorOverview extends OperatorElement {
  static override properties = {
    ...OperatorElement.properties,
    days: { type: Number },
  };

  static override styles = [
    base,
    css`
      .screens {
        display: grid;
        gap: calc(2 * var(--academy-spacing, 0.75rem));
      }
    `,
  ];

  /** The expiring-certificates horizon in days. */
  days = DEFAULT_DAYS;

  private readonly operator = new Loader<string>(
    this,
    async (signal) => this.operatorId || (await this.api.get<Me>("/v1/me", signal)).operator_id,
  );

  /** Find the operator again and load every screen shown again (the host calls it when
   *  something changed: an exam submitted, tooling released). */
  async reload(): Promise<void> {
    const shown = [...this.renderRoot.querySelectorAll<AcademyElement>(".screens > *")];
    await this.operator.run();
    await Promise.all(shown.filter((screen) => screen.isConnected).map((screen) => screen.reload()));
  }

  override render() {
    return this.operator.render(
      (operatorId) => html`<div class="screens">
        <academy-readiness
          .apiBase=${this.apiBase}
          .releaseApiBase=${this.releaseApiBase}
          .operatorId=${operatorId}
          .tokenProvider=${this.tokenProvider}
        ></academy-readiness>
        <academy-release-status
          .apiBase=${this.apiBase}
          .releaseApiBase=${this.releaseApiBase}
          .operatorId=${operatorId}
          .tokenProvider=${this.tokenProvider}
        ></academy-release-status>
        <academy-expiring-certificates
          .apiBase=${this.apiBase}
          .releaseApiBase=${this.releaseApiBase}
          .operatorId=${operatorId}
          .days=${this.days}
          .tokenProvider=${this.tokenProvider}
        ></academy-expiring-certificates>
        <academy-team-progress
          .apiBase=${this.apiBase}
          .releaseApiBase=${this.releaseApiBase}
          .operatorId=${operatorId}
          .tokenProvider=${this.tokenProvider}
        ></academy-team-progress>
      </div>`,
    );
  }
}

define("academy-operator-overview", AcademyOperatorOverview);

declare global {
  interface HTMLElementTagNameMap {
    "academy-operator-overview": AcademyOperatorOverview;
  }
}
