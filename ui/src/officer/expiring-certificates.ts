// <academy-expiring-certificates days="60">: valid certificates expiring within `days`, soonest
// first, with the holder, the track, the expiry date and the days left.
import { html } from "lit";
import { Loader, define, empty } from "../element.js";
import { base } from "../styles.js";
import { daysLeft, daysLeftKey } from "./logic.js";
import { OperatorElement } from "./operator-element.js";
import { officer } from "./styles.js";
import type { HeldCertificate, HeldCertificates } from "./types.js";

export const DEFAULT_DAYS = 60;

export class AcademyExpiringCertificates extends OperatorElement {
  static override properties = {
    ...OperatorElement.properties,
    days: { type: Number },
  };

  static override styles = [base, officer];

  /** The horizon in days (the API accepts 0 to 3650). */
  days = DEFAULT_DAYS;

  protected override reloadOn(): string[] {
    return [...super.reloadOn(), "days"];
  }

  /** The horizon actually asked for: a whole number in the API's range. */
  get horizon(): number {
    const days = Number(this.days);
    return Number.isFinite(days) ? Math.min(Math.max(Math.trunc(days), 0), 3650) : DEFAULT_DAYS;
  }

  private readonly certificates = new Loader<HeldCertificate[]>(this, async (signal) => {
    const path = await this.operatorPath(signal);
    const query = `within_days=${this.horizon}`;
    return (await this.api.get<HeldCertificates>(`${path}/certificates/expiring?${query}`, signal))
      .certificates;
  });

  reload(): Promise<void> {
    return this.certificates.run();
  }

  private renderRow(cert: HeldCertificate, now: Date) {
    const left = daysLeft(cert.expires_at, now);
    return html`<tr>
      <th scope="row">${cert.staff_name}</th>
      <td>${this.trackName(cert.jurisdiction, cert.role)}</td>
      <td><time datetime=${cert.expires_at}>${this.formatDate(cert.expires_at)}</time></td>
      <td class=${left <= 14 ? "blocked" : ""}>${this.t(daysLeftKey(left), { days: left })}</td>
    </tr>`;
  }

  private renderList(certificates: HeldCertificate[]) {
    if (certificates.length === 0) return empty(this.t("officer.expiring.empty", { days: this.horizon }));
    const now = new Date();
    return html`<div class="table-wrap">
      <table>
        <caption class="visually-hidden">${this.t("officer.expiring.caption", { days: this.horizon })}</caption>
        <thead>
          <tr>
            <th scope="col">${this.t("officer.expiring.col.holder")}</th>
            <th scope="col">${this.t("officer.expiring.col.track")}</th>
            <th scope="col">${this.t("officer.expiring.col.expires")}</th>
            <th scope="col">${this.t("officer.expiring.col.left")}</th>
          </tr>
        </thead>
        <tbody>
          ${certificates.map((cert) => this.renderRow(cert, now))}
        </tbody>
      </table>
    </div>`;
  }

  override render() {
    const busy = this.certificates.state.kind === "loading" || this.certificates.state.kind === "idle";
    return html`<section aria-labelledby="heading" aria-busy=${busy ? "true" : "false"}>
      <h2 id="heading">${this.t("officer.expiring.heading", { days: this.horizon })}</h2>
      ${this.certificates.render((certificates) => this.renderList(certificates))}
    </section>`;
  }
}

define("academy-expiring-certificates", AcademyExpiringCertificates);

declare global {
  interface HTMLElementTagNameMap {
    "academy-expiring-certificates": AcademyExpiringCertificates;
  }
}
