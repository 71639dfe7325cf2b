// The support screens, re-exported by ../index.ts (each module defines its custom elements).
export { AcademyBreakers } from "./breakers.js";
export { AcademySupportConsole } from "./console.js";
export { AcademyDeliveries } from "./deliveries.js";
export { checkField, refusalFor, validate } from "./fields.js";
export { AcademyForceRelease } from "./force-release.js";
export { attemptAnswer, attemptOutcome, breakerLabel, breakerWhy, deliveryState } from "./model.js";
export {
  AcademyAttemptReset,
  AcademyCertificateRevocation,
  AcademyStaffOverrides,
  AcademyTrainingWaiver,
} from "./overrides.js";
