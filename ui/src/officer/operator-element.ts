// The base of the officer screens: which operator they show (the `operator-id` attribute, else
// the signed-in user's operator from GET /v1/me) and the roles' names.
import { seg } from "../api.js";
import { AcademyElement } from "../element.js";
import type { MessageKey } from "../messages.js";
import { roleWords } from "./logic.js";
import type { Me } from "./types.js";

export abstract class OperatorElement extends AcademyElement {
  static override properties = {
    ...AcademyElement.properties,
    operatorId: { type: String, attribute: "operator-id" },
  };

  /** The operator to show; empty means the signed-in user's own operator. */
  operatorId = "";

  protected override reloadOn(): string[] {
    return [...super.reloadOn(), "operatorId"];
  }

  /** The operator's path prefix of the operator views, `/v1/operators/{id}`. */
  protected async operatorPath(signal: AbortSignal): Promise<string> {
    const id = this.operatorId || (await this.api.get<Me>("/v1/me", signal)).operator_id;
    return `/v1/operators/${seg(id)}`;
  }

  /** A role's name from the catalogue, else the role's code in words. */
  roleName(role: string): string {
    const key = `officer.role.${role}`;
    return key in this.catalogue ? this.t(key as MessageKey) : roleWords(role);
  }

  /** "MGA compliance officer": how the screens name a track. */
  trackName(jurisdiction: string, role: string): string {
    return this.t("officer.track", { jurisdiction, role: this.roleName(role) });
  }
}
