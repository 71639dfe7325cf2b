// academy-ui: the Licensing Academy portal UI kit (custom elements; see the README's "Portal UI kit").
import "./theme.css";

export const VERSION: string = __ACADEMY_UI_VERSION__;
export { Api, ApiError, errorFor } from "./api.js";
export type { TokenProvider, TrackSummary } from "./api.js";
export { AcademyConfirm } from "./confirm.js";
export { AcademyElement } from "./element.js";
export { catalogueFor, en as messagesEn, msg } from "./messages.js";
// Screens: staff
export { AcademyMyTracks, trackStatus } from "./my-tracks.js";
export * from "./staff/index.js";
// Screens: compliance officer and operator admin
export * from "./officer/index.js";
// Screens: support
export * from "./support/index.js";
