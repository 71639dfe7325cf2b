// academy-ui: the Licensing Academy portal UI kit (custom elements; see the README's "Portal UI kit").
import "./theme.css";

export const VERSION: string = __ACADEMY_UI_VERSION__;
export { AcademyMyTracks, trackStatus } from "./my-tracks.js";
export { ApiError, AssessmentApi } from "./api.js";
export type { TokenProvider, TrackSummary } from "./api.js";
export { catalogueFor, en as messagesEn, msg } from "./messages.js";
